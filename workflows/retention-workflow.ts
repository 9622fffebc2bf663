import { continueAsNew, log, proxyActivities } from '@temporalio/workflow';
import type { JobActivities } from '../activities/create-activities.js';

export interface RetentionWorkflowInput {
  /** Job reports created more than this many days ago are deleted with their logs. */
  retentionDays: number;
  /** Jobs deleted per activity; default 100. */
  batchSize?: number;
  /** Jobs deleted by earlier runs of this execution, carried across continue-as-new. */
  deletedBefore?: number;
}

export interface RetentionWorkflowResult {
  deleted: number;
}

const { deleteExpiredJobs } = proxyActivities<JobActivities>({
  // One batch deletes at most `batchSize` jobs, each a handful of indexed deletes.
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { maximumAttempts: 5 },
});

const defaultBatchSize = 100;
/** Batches one run makes before it continues as new, which keeps its history short. */
const batchesPerRun = 200;

/**
 * Deletes job reports older than the retention period, with their logs, chunks, batches and failed
 * records, a bounded batch at a time until none is left. A Temporal Schedule runs it daily.
 */
export async function retentionWorkflow(input: RetentionWorkflowInput): Promise<RetentionWorkflowResult> {
  const batchSize = input.batchSize ?? defaultBatchSize;
  let deleted = input.deletedBefore ?? 0;

  for (let batch = 0; batch < batchesPerRun; batch += 1) {
    const result = await deleteExpiredJobs({ retentionDays: input.retentionDays, batchSize });
    deleted += result.deleted;
    if (result.deleted < batchSize) {
      log.info('Retention run finished', { deleted, retentionDays: input.retentionDays });
      return { deleted };
    }
  }
  return continueAsNew<typeof retentionWorkflow>({ ...input, deletedBefore: deleted });
}
