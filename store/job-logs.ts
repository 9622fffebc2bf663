import { MongoBulkWriteError } from 'mongodb';
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

const duplicateKeyCode = 11000;

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
    const onlyDuplicates =
      error instanceof MongoBulkWriteError &&
      error.writeErrors instanceof Array &&
      error.writeErrors.every((writeError) => writeError.code === duplicateKeyCode);
    if (!onlyDuplicates) {
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
