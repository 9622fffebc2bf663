import { z } from 'zod';
import { jobStatuses, jobTriggers, jobTypes, percentDone } from '../core/job-model.js';
import type { Store } from '../store/connect-store.js';
import { sumJobBatches } from '../store/job-batches.js';
import type { JobDocument } from '../store/jobs.js';

export const jobReportSchema = z.object({
  id: z.string(),
  definition: z.object({ id: z.string(), name: z.string() }),
  job_type: z.enum(jobTypes),
  trigger: z.enum(jobTriggers),
  status: z.enum(jobStatuses),
  paused: z.boolean(),
  dry_run: z.boolean(),
  progress: z.object({
    processed: z.number(),
    total: z.number(),
    percent: z.number(),
    /**
     * Seconds until the job ends at the rate it has had since it started. Only while the job runs
     * (not paused) and has processed at least one record.
     */
    estimated_seconds_left: z.number().optional(),
  }),
  succeeded: z.number(),
  failed: z.number(),
  total: z.number(),
  /** True when the job stopped part-way: counts cover only the records it reached. */
  estimated: z.boolean(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  ended_at: z.string().nullable(),
  workflow_id: z.string(),
});

export type JobReport = z.infer<typeof jobReportSchema>;

/**
 * Builds a job's report. A running job's counts come from its finished batches, so they grow while
 * it runs. An ended job's counts are the ones its finishing step stored. The estimate of the time
 * left is computed at `now`, which defaults to the current time.
 */
export async function buildJobReport(
  store: Store,
  job: JobDocument,
  options: { now?: Date } = {},
): Promise<JobReport> {
  let counts = { total: job.total, processed: job.processed, succeeded: job.succeeded, failed: job.failed };
  if (job.status === 'WAITING' && job.plan !== null) {
    const batches = await sumJobBatches(store, job._id);
    counts = {
      total: job.total,
      processed: job.plan.failed + batches.records,
      succeeded: batches.succeeded,
      failed: job.plan.failed + batches.failed,
    };
  }

  return {
    id: job._id,
    definition: { id: job.definition_id, name: job.definition_name },
    job_type: job.job_type,
    trigger: job.trigger,
    status: job.status,
    paused: job.paused,
    dry_run: job.dry_run,
    progress: {
      processed: counts.processed,
      total: counts.total,
      percent: percentDone(counts),
      ...estimateTimeLeft(job, counts, options.now ?? new Date()),
    },
    succeeded: counts.succeeded,
    failed: counts.failed,
    total: counts.total,
    estimated: job.estimated,
    created_at: job.created_at.toISOString(),
    started_at: job.started_at?.toISOString() ?? null,
    ended_at: job.ended_at?.toISOString() ?? null,
    workflow_id: job.workflow_id,
  };
}

/**
 * Estimates the seconds left from the average rate since the job started: records processed per
 * second of run time, applied to the records not yet processed. Rounded up to whole seconds.
 * Limitation: time spent paused counts as run time, so the estimate after a long pause is too long
 * until the rate catches up.
 */
function estimateTimeLeft(
  job: Pick<JobDocument, 'status' | 'paused' | 'started_at'>,
  counts: { processed: number; total: number },
  now: Date,
): { estimated_seconds_left?: number } {
  if (job.status !== 'WAITING' || job.paused || job.started_at === null || counts.processed === 0) {
    return {};
  }
  const elapsedSeconds = (now.getTime() - job.started_at.getTime()) / 1000;
  if (elapsedSeconds <= 0) {
    return {};
  }

  const recordsPerSecond = counts.processed / elapsedSeconds;
  const left = Math.max(0, counts.total - counts.processed);
  return { estimated_seconds_left: Math.ceil(left / recordsPerSecond) };
}
