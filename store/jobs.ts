import type { Filter } from 'mongodb';
import type { Store } from './connect-store.js';
import type { TextEncoding } from '../core/file-format.js';
import type { JobCounts, JobStatus, JobTrigger, JobType } from '../core/job-model.js';

/** Facts the plan learned of the file. Chunk reads check the file against `file_size` and `version_tag`. */
export interface JobPlan {
  file_size: number;
  version_tag: string;
  /** The file's text encoding with its byte order resolved from the byte-order mark, for chunk reads. */
  text_encoding: TextEncoding;
  /** CSV header columns, read once by the plan and handed to every chunk; null for JSON. */
  header: string[] | null;
  chunk_count: number;
  /** Records that failed during the plan: invalid, without identifier, or repeating an earlier line. */
  failed: number;
  /**
   * Seconds from the plan's first read of the file to its last record checked, warnings included.
   * Absent in jobs planned before it was recorded.
   */
  scan_seconds?: number;
}

/** A job report as stored. Counts are exact once the job ends, unless `estimated` is set. */
export interface JobDocument extends JobCounts {
  _id: string;
  definition_id: string;
  definition_name: string;
  job_type: JobType;
  trigger: JobTrigger;
  status: JobStatus;
  paused: boolean;
  dry_run: boolean;
  workflow_id: string;
  estimated: boolean;
  plan: JobPlan | null;
  created_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
  /** Set once the file of failed records was saved after the job ended, or could not be. */
  failed_records?: FailedRecordsState;
}

/** Whether the file of a job's failed records can be downloaded; see `store/failed-records.ts`. */
export type FailedRecordsState =
  | {
      state: 'ready';
      /** Failed records in the file. */
      records: number;
      /** Bytes of the file, header included. */
      bytes: number;
      /** Parts the bytes are stored in. */
      parts: number;
    }
  | {
      state: 'unavailable';
      /** Reason the file could not be made, for the user. */
      reason: string;
    };

export async function insertJob(store: Store, job: JobDocument): Promise<void> {
  await store.jobs.insertOne(job);
}

export async function findJob(store: Store, jobId: string): Promise<JobDocument | null> {
  return store.jobs.findOne({ _id: jobId });
}

/** Sets `started_at` the first time only, so a retried start keeps the original time. */
export async function markJobStarted(store: Store, jobId: string, now: Date): Promise<void> {
  await store.jobs.updateOne({ _id: jobId, started_at: null }, { $set: { started_at: now } });
}

export async function saveJobPlan(store: Store, jobId: string, plan: JobPlan, total: number): Promise<void> {
  await store.jobs.updateOne({ _id: jobId }, { $set: { plan, total } });
}

export async function setJobPaused(store: Store, jobId: string, paused: boolean): Promise<void> {
  await store.jobs.updateOne({ _id: jobId, status: 'WAITING' }, { $set: { paused } });
}

/** Writes the final status and counts once; later calls for an ended job change nothing. */
export async function finishJobReport(
  store: Store,
  jobId: string,
  ending: { status: Exclude<JobStatus, 'WAITING'>; counts: JobCounts; estimated: boolean; endedAt: Date },
): Promise<boolean> {
  const result = await store.jobs.updateOne(
    { _id: jobId, status: 'WAITING' },
    {
      $set: {
        status: ending.status,
        ...ending.counts,
        estimated: ending.estimated,
        paused: false,
        ended_at: ending.endedAt,
      },
    },
  );
  return result.modifiedCount === 1;
}

export async function saveFailedRecordsState(
  store: Store,
  jobId: string,
  failedRecords: FailedRecordsState,
): Promise<void> {
  await store.jobs.updateOne({ _id: jobId }, { $set: { failed_records: failedRecords } });
}

/** Filters of the job list; every one that is set must match. */
export interface JobListFilter {
  definitionId?: string;
  status?: JobStatus;
  jobType?: JobType;
  /** Jobs created at or after this time. */
  createdFrom?: Date;
  /** Jobs created before this time. */
  createdBefore?: Date;
}

/** Position after the last job of a page: jobs come newest first, by `created_at` then `_id`. */
export interface JobListPosition {
  createdAt: Date;
  id: string;
}

/**
 * Lists jobs newest first (by `created_at`, then `_id` descending, so the order is stable when two
 * jobs share a time), up to `limit`, starting after `after`.
 *
 * With `definitionId` the query is an equality on the indexed `definition_id`, so FerretDB reads only
 * that definition's jobs.
 * Limitation: without it, FerretDB 1.24 reads the whole jobs collection for every page, because
 * ranges, sorts and `$or` are evaluated after a full read (about 25,000 documents per second on the
 * embedded stack). That is fine for tens of thousands of reports; beyond that, callers should filter
 * by definition.
 */
export async function listJobs(
  store: Store,
  filter: JobListFilter,
  page: { limit: number; after?: JobListPosition },
): Promise<JobDocument[]> {
  const query: Filter<JobDocument> = {};
  if (filter.definitionId !== undefined) {
    query.definition_id = filter.definitionId;
  }
  if (filter.status !== undefined) {
    query.status = filter.status;
  }
  if (filter.jobType !== undefined) {
    query.job_type = filter.jobType;
  }
  if (filter.createdFrom !== undefined || filter.createdBefore !== undefined) {
    query.created_at = {
      ...(filter.createdFrom === undefined ? {} : { $gte: filter.createdFrom }),
      ...(filter.createdBefore === undefined ? {} : { $lt: filter.createdBefore }),
    };
  }
  if (page.after !== undefined) {
    query.$or = [
      { created_at: { $lt: page.after.createdAt } },
      { created_at: page.after.createdAt, _id: { $lt: page.after.id } },
    ];
  }

  return store.jobs.find(query).sort({ created_at: -1, _id: -1 }).limit(page.limit).toArray();
}

/** Returns the newest job of a definition, or null when it never ran. Reads only its jobs (indexed `definition_id`). */
export async function findLastJobOfDefinition(
  store: Store,
  definitionId: string,
): Promise<JobDocument | null> {
  const [last] = await store.jobs
    .find({ definition_id: definitionId })
    .sort({ created_at: -1, _id: -1 })
    .limit(1)
    .toArray();
  return last ?? null;
}

/**
 * Returns the ids of up to `limit` ended jobs created before `cutoff`, oldest first. Running jobs are
 * left alone, whatever their age.
 * Limitation: this reads the whole jobs collection on FerretDB 1.24 (a range is evaluated after a
 * full read), once per batch of the daily retention run.
 */
export async function findExpiredJobIds(store: Store, cutoff: Date, limit: number): Promise<string[]> {
  const jobs = await store.jobs
    .find({ created_at: { $lt: cutoff }, status: { $ne: 'WAITING' } }, { projection: { _id: 1 } })
    .sort({ created_at: 1, _id: 1 })
    .limit(limit)
    .toArray();
  return jobs.map((job) => job._id);
}

/** Deletes a job report; its logs, chunks and batches are deleted first by `deleteJobData`. */
export async function deleteJob(store: Store, jobId: string): Promise<void> {
  await store.jobs.deleteOne({ _id: jobId });
}
