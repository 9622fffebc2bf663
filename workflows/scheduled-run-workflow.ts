import { log, proxyActivities, uuid4 } from '@temporalio/workflow';
import type { JobActivities } from '../activities/create-activities.js';
import type { StartScheduledRunResult } from '../activities/start-scheduled-run.js';

/** Input of each run that a definition's Temporal Schedule starts. */
export interface ScheduledRunWorkflowInput {
  definitionId: string;
  /** Chunk activities kept in flight by the job; the deployment's setting when the schedule was saved. */
  chunkWindow: number;
  /** Chunks one job workflow run starts before it continues as new. */
  chunksPerRun: number;
}

export type ScheduledRunWorkflowResult = StartScheduledRunResult;

const { startScheduledRun } = proxyActivities<JobActivities>({
  startToCloseTimeout: '1 minute',
  // A retry reuses the job id chosen below, so it continues the first attempt and never adds a job.
  retry: { maximumAttempts: 10 },
});

/**
 * Runs a definition when its schedule fires, through the same run lock as a run from the API: the
 * activity starts the job's own workflow, or skips the run when a job of the definition is still
 * running. The job then runs on its own, so this workflow ends within seconds.
 */
export async function scheduledRunWorkflow(
  input: ScheduledRunWorkflowInput,
): Promise<ScheduledRunWorkflowResult> {
  // uuid4 is deterministic on replay, so every attempt of the activity carries the same job id.
  const jobId = uuid4();
  const result = await startScheduledRun({ ...input, jobId });

  if (result.outcome === 'started') {
    log.info('Started scheduled job', { definitionId: input.definitionId, jobId: result.jobId });
  } else {
    log.warn('Skipped scheduled run', { definitionId: input.definitionId, reason: result.reason });
  }
  return result;
}
