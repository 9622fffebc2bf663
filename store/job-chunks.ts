import type { Store } from './connect-store.js';
import { duplicateKeyIndexes } from './duplicate-keys.js';

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

/**
 * Saves a job's chunks. Saving them again, as a retried plan does, replaces them. The first save is
 * one insert. A later one replaces the existing chunks one at a time, because FerretDB 1.24 stops
 * responding to every client after one bulk write of 200 replacements of existing documents (20 pass).
 */
export async function saveJobChunks(store: Store, chunks: JobChunkDocument[]): Promise<void> {
  if (chunks.length === 0) {
    return;
  }

  try {
    await store.jobChunks.insertMany(chunks, { ordered: false });
  } catch (error) {
    const existing = duplicateKeyIndexes(error);
    if (existing === null) {
      throw error;
    }
    for (const index of existing) {
      const chunk = chunks[index]!;
      await store.jobChunks.replaceOne({ _id: chunk._id }, chunk);
    }
  }
}

export async function findJobChunk(
  store: Store,
  jobId: string,
  index: number,
): Promise<JobChunkDocument | null> {
  return store.jobChunks.findOne({ _id: chunkId(jobId, index) });
}
