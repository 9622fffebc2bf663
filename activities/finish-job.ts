import { Context } from '@temporalio/activity';
import type { JobCounts, JobOutcome, JobStatus } from '../core/job-model.js';
import { releaseDefinitionRun } from '../store/definitions.js';
import { sumJobBatches } from '../store/job-batches.js';
import { appendJobLogs } from '../store/job-logs.js';
import type { JobLogEntry } from '../store/job-logs.js';
import { finishJobReport, findJob } from '../store/jobs.js';
import type { ActivityDependencies } from './activity-dependencies.js';

export interface FinishJobInput {
  jobId: string;
  outcome: JobOutcome;
}

export interface FinishJobResult {
  status: Exclude<JobStatus, 'WAITING'>;
  counts: JobCounts;
  /** True when the job stopped part-way, so its counts cover only the records it reached. */
  estimated: boolean;
}

const statusOf = { completed: 'SUCCESS', failed: 'FAILURE', cancelled: 'CANCELLED' } as const;

/**
 * Ends a job: final counts from the stored batch outcomes (so a cancelled job counts exactly what was
 * deleted), its status and last log lines, and the release of the definition's run lock.
 * Safe to run again: a job that has ended keeps its first ending.
 */
export function createFinishJob(dependencies: ActivityDependencies) {
  return async function finishJob(input: FinishJobInput): Promise<FinishJobResult> {
    const { store, clock } = dependencies;
    const job = await findJob(store, input.jobId);
    if (job === null) {
      throw new Error(`Job ${input.jobId} not found while finishing it`);
    }

    const batches = await sumJobBatches(store, input.jobId);
    const planFailed = job.plan?.failed ?? 0;
    const counts: JobCounts = {
      total: job.total,
      processed: planFailed + batches.records,
      succeeded: batches.succeeded,
      failed: planFailed + batches.failed,
    };
    const status = statusOf[input.outcome.kind];
    const estimated = input.outcome.kind !== 'completed' && counts.processed < counts.total;

    const now = clock();
    await appendJobLogs(store, input.jobId, finalLogLines(input.outcome, counts, job.dry_run), now);
    await finishJobReport(store, input.jobId, { status, counts, estimated, endedAt: now });
    await releaseDefinitionRun(store, job.definition_id, input.jobId);

    Context.current().log.info('Finished job', { jobId: input.jobId, status, ...counts, estimated });
    return { status, counts, estimated };
  };
}

function finalLogLines(outcome: JobOutcome, counts: JobCounts, dryRun: boolean): JobLogEntry[] {
  const verb = dryRun ? 'Would have deleted' : 'Deleted';
  const summary = `${verb} ${counts.succeeded} profiles, ${counts.failed} failed`;

  switch (outcome.kind) {
    case 'completed':
      return [{ key: 'end', level: 'LOG', content: summary }];
    case 'cancelled':
      return [
        {
          key: 'end',
          level: 'LOG',
          content: `Job cancelled after ${counts.processed} of ${counts.total} records. ${summary} (estimated).`,
        },
      ];
    case 'failed':
      return [
        { key: 'error', level: 'ERROR', content: outcome.reason },
        { key: 'end', level: 'LOG', content: `Job failed. ${summary}.` },
      ];
  }
}
