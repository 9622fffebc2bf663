import type { Store } from './connect-store.js';
import type { TextEncoding } from '../core/file-format.js';
import type { JobCounts, JobStatus, JobTrigger, JobType } from '../core/job-model.js';

/** What the plan learned of the file; chunk reads check the file against `file_size` and `version_tag`. */
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
}

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
