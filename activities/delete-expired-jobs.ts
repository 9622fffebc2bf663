import { Context } from '@temporalio/activity';
import { deleteJobData } from '../store/job-retention.js';
import { findExpiredJobIds } from '../store/jobs.js';
import type { ActivityDependencies } from './activity-dependencies.js';

export interface DeleteExpiredJobsInput {
  /** Jobs created more than this many days ago are deleted. */
  retentionDays: number;
  /** Jobs deleted by this call, at most. */
  batchSize: number;
}

export interface DeleteExpiredJobsResult {
  deleted: number;
}

const dayMs = 24 * 60 * 60 * 1000;

/**
 * Deletes up to `batchSize` ended jobs created more than `retentionDays` ago, each with its logs,
 * chunks, batches and failed records. Running jobs are kept. Safe to run again: a job whose
 * deletion was cut short is found again, because its report is deleted last.
 */
export function createDeleteExpiredJobs(dependencies: ActivityDependencies) {
  return async function deleteExpiredJobs(input: DeleteExpiredJobsInput): Promise<DeleteExpiredJobsResult> {
    const { store, clock } = dependencies;
    const context = Context.current();
    const cutoff = new Date(clock().getTime() - input.retentionDays * dayMs);

    const jobIds = await findExpiredJobIds(store, cutoff, input.batchSize);
    for (const jobId of jobIds) {
      await deleteJobData(store, jobId);
      context.heartbeat();
    }

    context.log.info('Deleted expired jobs', { deleted: jobIds.length, cutoff: cutoff.toISOString() });
    return { deleted: jobIds.length };
  };
}
