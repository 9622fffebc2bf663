import { duplicateKeyIndexes } from './duplicate-keys.js';
import type { Filter, FindCursor } from 'mongodb';
import type { Store } from './connect-store.js';
import type { LogLevel } from '../core/job-model.js';

/**
 * One job log entry. Its `_id` is derived from what it reports (for example the job, the step and the
 * line), so writing the same entry again after a retried activity leaves one copy.
 */
export interface JobLogDocument {
  _id: string;
  job_id: string;
  level: LogLevel;
  content: string;
  date: Date;
  /** File line the entry is about, for record-level entries. */
  line: number | null;
}

export interface JobLogEntry {
  /** Unique within the job: the same key written twice is stored once. */
  key: string;
  level: LogLevel;
  content: string;
  line?: number;
}

/** Appends entries to a job's log, skipping those already written under the same key. */
export async function appendJobLogs(
  store: Store,
  jobId: string,
  entries: JobLogEntry[],
  now: Date,
): Promise<void> {
  if (entries.length === 0) {
    return;
  }

  const documents = entries.map((entry) => ({
    _id: `${jobId}:${entry.key}`,
    job_id: jobId,
    level: entry.level,
    content: entry.content,
    date: now,
    line: entry.line ?? null,
  }));

  try {
    await store.jobLogs.insertMany(documents, { ordered: false });
  } catch (error) {
    if (duplicateKeyIndexes(error) === null) {
      throw error;
    }
  }
}

export interface ListJobLogsOptions {
  level?: LogLevel;
  /** Entries to skip, for paging. */
  offset: number;
  limit: number;
}

/** Lists a job's log entries by date, then line. Reads only that job's entries (indexed `job_id`). */
export async function listJobLogs(
  store: Store,
  jobId: string,
  options: ListJobLogsOptions,
): Promise<{ entries: JobLogDocument[]; total: number }> {
  const filter = options.level === undefined ? { job_id: jobId } : { job_id: jobId, level: options.level };

  const [entries, total] = await Promise.all([
    store.jobLogs
      .find(filter)
      .sort({ date: 1, line: 1, _id: 1 })
      .skip(options.offset)
      .limit(options.limit)
      .toArray(),
    store.jobLogs.countDocuments(filter),
  ]);
  return { entries, total };
}

/** Order of a job's log: by date, then line, then id, the same in lists and downloads. */
const logOrder = { date: 1, line: 1, _id: 1 } as const;

/**
 * Opens a cursor over a job's log entries in log order, fetching `batchSize` entries per round trip,
 * so a download of a long log holds one batch in memory at a time. `errorsOnly` keeps the ERROR and
 * WARNING entries. Reads only that job's entries (indexed `job_id`). Close the cursor when done.
 */
export function openJobLogCursor(
  store: Store,
  jobId: string,
  options: { errorsOnly: boolean; batchSize: number },
): FindCursor<JobLogDocument> {
  const filter: Filter<JobLogDocument> = options.errorsOnly
    ? { job_id: jobId, level: { $ne: 'LOG' } }
    : { job_id: jobId };
  return store.jobLogs.find(filter).sort(logOrder).batchSize(options.batchSize);
}

/**
 * Returns the file lines of a job's failed records in ascending order: the lines of its WARNING
 * entries, since each failed record gets exactly one. Warnings without a line (such as a webhook
 * that failed) are left out.
 */
export async function findFailedLines(store: Store, jobId: string): Promise<number[]> {
  const cursor = store.jobLogs
    .find({ job_id: jobId, level: 'WARNING' }, { projection: { _id: 0, line: 1 } })
    .batchSize(10_000);
  const lines: number[] = [];
  for await (const entry of cursor) {
    if (entry.line !== null && entry.line !== undefined) {
      lines.push(entry.line);
    }
  }
  return lines.sort((a, b) => a - b);
}
