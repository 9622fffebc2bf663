import type { Store } from './connect-store.js';

/** A profile a batch resolved and deletes (or would delete, in a dry run). */
export interface PlannedDeletion {
  line: number;
  profile_id: string;
}

/**
 * The outcome of one batch of a chunk: the unit of crash recovery. A batch is written `pending`
 * with the profiles it resolved before any delete is sent, and `done` with its counts after. A chunk
 * that runs again takes `done` batches as they are and finishes `pending` ones by deleting the same
 * profiles by id, so its counts stay exact and nothing is resolved twice.
 */
export interface JobBatchDocument {
  _id: string;
  job_id: string;
  chunk: number;
  batch: number;
  state: 'pending' | 'done';
  /** Records of the file the batch covered. */
  records: number;
  succeeded: number;
  failed: number;
  deletions: PlannedDeletion[];
}

export function batchId(jobId: string, chunk: number, batch: number): string {
  return `${jobId}:${chunk}:${batch}`;
}

export async function findJobBatch(store: Store, id: string): Promise<JobBatchDocument | null> {
  return store.jobBatches.findOne({ _id: id });
}

/** Stores a batch as `pending`, or replaces an earlier pending copy of it. */
export async function savePendingBatch(store: Store, batch: JobBatchDocument): Promise<void> {
  await store.jobBatches.replaceOne({ _id: batch._id }, batch, { upsert: true });
}

export async function completeBatch(
  store: Store,
  id: string,
  outcome: { records: number; succeeded: number; failed: number },
): Promise<void> {
  await store.jobBatches.updateOne({ _id: id }, { $set: { state: 'done', ...outcome } });
}

/** Adds up the outcomes of a job's finished batches. Reads only that job's batches (indexed `job_id`). */
export async function sumJobBatches(
  store: Store,
  jobId: string,
): Promise<{ records: number; succeeded: number; failed: number }> {
  const batches = await store.jobBatches
    .find({ job_id: jobId, state: 'done' }, { projection: { records: 1, succeeded: 1, failed: 1 } })
    .toArray();

  const sum = { records: 0, succeeded: 0, failed: 0 };
  for (const batch of batches) {
    sum.records += batch.records;
    sum.succeeded += batch.succeeded;
    sum.failed += batch.failed;
  }
  return sum;
}
