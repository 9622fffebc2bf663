import { Binary } from 'mongodb';
import type { Collection } from 'mongodb';
import type { Store } from './connect-store.js';

/**
 * One part of the file of a job's failed records: the file's header bytes followed by the bytes of
 * each failed record, exactly as they were in the job's file. Parts are numbered from 0 and hold at
 * most `failedRecordsPartSize` bytes each, well under the 16 MiB document limit.
 */
export interface FailedRecordsPartDocument {
  _id: string;
  job_id: string;
  part: number;
  data: Binary;
}

/** Bytes per stored part: 1 MiB. */
export const failedRecordsPartSize = 1024 * 1024;

export function failedRecordsParts(store: Store): Collection<FailedRecordsPartDocument> {
  return store.db.collection<FailedRecordsPartDocument>('job_failed_records');
}

/** Saves one part; saving it again (a retried activity) replaces it. */
export async function saveFailedRecordsPart(
  store: Store,
  jobId: string,
  part: number,
  bytes: Uint8Array,
): Promise<void> {
  await failedRecordsParts(store).replaceOne(
    { _id: `${jobId}:${part}` },
    { job_id: jobId, part, data: new Binary(bytes) },
    { upsert: true },
  );
}

/**
 * Yields the stored parts of a job's file in order, one part in memory at a time. Each part is read
 * by its `_id`, so no sort is needed and every read is an indexed equality.
 * @throws Error when a part is missing, which means the file was saved only in part.
 */
export async function* readFailedRecordsParts(
  store: Store,
  jobId: string,
  parts: number,
): AsyncGenerator<Uint8Array> {
  for (let part = 0; part < parts; part += 1) {
    const document = await failedRecordsParts(store).findOne({ _id: `${jobId}:${part}` });
    if (document === null) {
      throw new Error(`Part ${part} of the failed records of job ${jobId} is missing`);
    }
    yield document.data.buffer;
  }
}
