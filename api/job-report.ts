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
  progress: z.object({ processed: z.number(), total: z.number(), percent: z.number() }),
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
 * it runs; an ended job's counts are the ones its finishing step stored.
 */
export async function buildJobReport(store: Store, job: JobDocument): Promise<JobReport> {
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
    progress: { processed: counts.processed, total: counts.total, percent: percentDone(counts) },
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
