import { randomUUID } from 'node:crypto';
import type { Store } from './connect-store.js';
import type { Definition, DefinitionInput } from '../core/definition.js';

/** A stored definition. `running_job_id` is the lock that keeps runs of one definition from overlapping. */
export interface DefinitionDocument extends Omit<Definition, 'id'> {
  _id: string;
  running_job_id: string | null;
}

export async function insertDefinition(store: Store, input: DefinitionInput, now: Date): Promise<Definition> {
  const document: DefinitionDocument = {
    _id: randomUUID(),
    ...input,
    running_job_id: null,
    created_at: now,
    updated_at: now,
  };
  await store.definitions.insertOne(document);
  return toDefinition(document);
}

export async function findDefinition(store: Store, definitionId: string): Promise<Definition | null> {
  const document = await store.definitions.findOne({ _id: definitionId });
  return document === null ? null : toDefinition(document);
}

/**
 * Marks `jobId` as the definition's running job unless another job holds it.
 * @returns null when the lock was taken, else the id of the job that holds it.
 */
export async function claimDefinitionRun(
  store: Store,
  definitionId: string,
  jobId: string,
): Promise<{ runningJobId: string } | null> {
  const claimed = await store.definitions.updateOne(
    { _id: definitionId, running_job_id: null },
    { $set: { running_job_id: jobId } },
  );
  if (claimed.modifiedCount === 1) {
    return null;
  }

  const current = await store.definitions.findOne(
    { _id: definitionId },
    { projection: { running_job_id: 1 } },
  );
  if (current?.running_job_id === jobId) {
    return null;
  }
  return { runningJobId: current?.running_job_id ?? 'unknown' };
}

/** Releases the run lock if `jobId` still holds it; safe to call again. */
export async function releaseDefinitionRun(store: Store, definitionId: string, jobId: string): Promise<void> {
  await store.definitions.updateOne(
    { _id: definitionId, running_job_id: jobId },
    { $set: { running_job_id: null } },
  );
}

function toDefinition(document: DefinitionDocument): Definition {
  const { _id, running_job_id: _runningJobId, ...fields } = document;
  return { id: _id, ...fields };
}
