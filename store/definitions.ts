import { randomUUID } from 'node:crypto';
import type { Store } from './connect-store.js';
import type { SealedDefinition } from '../core/definition.js';

/**
 * A stored definition, secrets sealed. `running_job_id` is the lock that keeps runs of one definition
 * from overlapping; it may name a job that has ended without releasing it.
 */
export interface DefinitionDocument extends Omit<SealedDefinition, 'id'> {
  _id: string;
  running_job_id: string | null;
}

export function newDefinitionId(): string {
  return randomUUID();
}

/** Stores a new definition; its secrets must already be sealed, as the `SealedDefinition` type requires. */
export async function insertDefinition(store: Store, definition: SealedDefinition): Promise<void> {
  const { id, ...fields } = definition;
  await store.definitions.insertOne({ _id: id, ...fields, running_job_id: null });
}

/** Returns a definition with its secrets sealed; `unsealDefinitionSecrets` opens them. */
export async function findDefinition(store: Store, definitionId: string): Promise<SealedDefinition | null> {
  const document = await store.definitions.findOne({ _id: definitionId });
  return document === null ? null : toDefinition(document);
}

/**
 * Returns the id of the job that has a definition's run lock: null when the lock is free, undefined
 * when the definition does not exist.
 */
export async function findDefinitionRunHolder(
  store: Store,
  definitionId: string,
): Promise<string | null | undefined> {
  const document = await store.definitions.findOne(
    { _id: definitionId },
    { projection: { running_job_id: 1 } },
  );
  return document === null ? undefined : (document.running_job_id ?? null);
}

/**
 * Lists definitions, oldest first. FerretDB sorts after reading the whole collection, which is fine
 * for definitions: a deployment has tens or hundreds, not millions.
 */
export async function listDefinitions(
  store: Store,
  options: { offset: number; limit: number; enabled?: boolean },
): Promise<{ definitions: SealedDefinition[]; total: number }> {
  const filter = options.enabled === undefined ? {} : { enabled: options.enabled };
  const [documents, total] = await Promise.all([
    store.definitions
      .find(filter)
      .sort({ created_at: 1, _id: 1 })
      .skip(options.offset)
      .limit(options.limit)
      .toArray(),
    store.definitions.countDocuments(filter),
  ]);
  return { definitions: documents.map(toDefinition), total };
}

/** Optional top-level fields of a definition, removed from the stored document when an edit drops them. */
const optionalFields = ['default_phone_region', 'encryption', 'schedule', 'webhook'] as const;

/**
 * Writes an edited definition if it is still as the caller read it: same `updated_at`, and, when
 * `runningJobId` is given, the same run lock holder. Without transactions, this conditional write on
 * one document is what keeps two edits, or an edit and a run starting meanwhile, from overwriting
 * each other. The run lock itself is never written here.
 * @returns false when the definition changed or was deleted since it was read.
 */
export async function updateDefinition(
  store: Store,
  definition: SealedDefinition,
  expected: { updatedAt: Date; runningJobId?: string | null },
): Promise<boolean> {
  const { id, ...fields } = definition;
  const removed = optionalFields.filter((field) => fields[field] === undefined);
  const set = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));

  const lockFilter = expected.runningJobId === undefined ? {} : { running_job_id: expected.runningJobId };
  const result = await store.definitions.updateOne(
    { _id: id, updated_at: expected.updatedAt, ...lockFilter },
    {
      $set: set,
      ...(removed.length === 0 ? {} : { $unset: Object.fromEntries(removed.map((field) => [field, ''])) }),
    },
  );
  return result.matchedCount === 1;
}

/** Sets `enabled` and `updated_at`; returns the definition after the change, or null when it does not exist. */
export async function setDefinitionEnabled(
  store: Store,
  definitionId: string,
  enabled: boolean,
  now: Date,
): Promise<SealedDefinition | null> {
  await store.definitions.updateOne({ _id: definitionId }, { $set: { enabled, updated_at: now } });
  return findDefinition(store, definitionId);
}

/**
 * Deletes a definition unless a run took its lock since the caller checked: the lock must still be
 * `runningJobId` (null, or a job the caller found ended).
 * @returns false when the lock changed or the definition was already gone.
 */
export async function deleteDefinition(
  store: Store,
  definitionId: string,
  runningJobId: string | null,
): Promise<boolean> {
  const result = await store.definitions.deleteOne({ _id: definitionId, running_job_id: runningJobId });
  return result.deletedCount === 1;
}

/**
 * Marks `jobId` as the definition's running job unless another job has the lock. Claiming again
 * with the same job id succeeds, so a retried start is harmless.
 * @returns `claimed`, `missing` when the definition does not exist, or the job that has the lock.
 */
export async function claimDefinitionRun(
  store: Store,
  definitionId: string,
  jobId: string,
): Promise<'claimed' | 'missing' | { runningJobId: string }> {
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    const claimed = await store.definitions.updateOne(
      { _id: definitionId, running_job_id: null },
      { $set: { running_job_id: jobId } },
    );
    if (claimed.modifiedCount === 1) {
      return 'claimed';
    }

    const holder = await findDefinitionRunHolder(store, definitionId);
    if (holder === undefined) {
      return 'missing';
    }
    if (holder !== null) {
      return holder === jobId ? 'claimed' : { runningJobId: holder };
    }
    // The lock was released between the two queries, so the claim is tried again.
  }
  throw new Error(`The run lock of definition ${definitionId} kept changing during 3 attempts to claim it`);
}

/** Releases the run lock if `jobId` still holds it; safe to call again. */
export async function releaseDefinitionRun(store: Store, definitionId: string, jobId: string): Promise<void> {
  await store.definitions.updateOne(
    { _id: definitionId, running_job_id: jobId },
    { $set: { running_job_id: null } },
  );
}

function toDefinition(document: DefinitionDocument): SealedDefinition {
  const { _id, running_job_id: _runningJobId, ...fields } = document;
  return { id: _id, ...fields };
}
