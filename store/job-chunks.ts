import type { Store } from './connect-store.js';

/**
 * A slice of a job's file, found by the plan: the records that start in [start_offset, end_offset).
 * Offsets are bytes of the decrypted file; lines are 1-based.
 */
export interface JobChunkDocument {
  _id: string;
  job_id: string;
  index: number;
  start_offset: number;
  end_offset: number;
  start_line: number;
  record_count: number;
  /** Lines the plan already failed as duplicates of an earlier line; the chunk does not apply them. */
  skip_lines: number[];
}

export function chunkId(jobId: string, index: number): string {
  return `${jobId}:${index}`;
}

/** Saves a job's chunks; saving them again (a retried plan) replaces them. */
export async function saveJobChunks(store: Store, chunks: JobChunkDocument[]): Promise<void> {
  const writeSize = 500;
  for (let start = 0; start < chunks.length; start += writeSize) {
    const writes = chunks.slice(start, start + writeSize).map((chunk) => ({
      replaceOne: { filter: { _id: chunk._id }, replacement: chunk, upsert: true },
    }));
    await store.jobChunks.bulkWrite(writes, { ordered: false });
  }
}

export async function findJobChunk(
  store: Store,
  jobId: string,
  index: number,
): Promise<JobChunkDocument | null> {
  return store.jobChunks.findOne({ _id: chunkId(jobId, index) });
}
