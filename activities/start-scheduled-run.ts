import { Context } from '@temporalio/activity';
import {
  DefinitionDisabledError,
  DefinitionNotFoundError,
  JobAlreadyRunningError,
  JobStartFailedError,
} from '../jobs/job-run-errors.js';
import { deleteDefinitionSchedule } from '../jobs/definition-schedule.js';
import { startJobRun } from '../jobs/start-job-run.js';
import { findDefinition } from '../store/definitions.js';
import { appendJobLogs } from '../store/job-logs.js';
import type { ActivityDependencies } from './activity-dependencies.js';

export interface StartScheduledRunInput {
  definitionId: string;
  /** Id of the job to create, the same on every attempt of this activity. */
  jobId: string;
  chunkWindow: number;
  chunksPerRun: number;
}

export type StartScheduledRunResult =
  | { outcome: 'started'; jobId: string }
  | { outcome: 'skipped'; reason: string; runningJobId?: string }
  | { outcome: 'failed'; jobId: string; reason: string };

/**
 * Starts the job of a scheduled run through `startJobRun`, the path of the API's run-now, so the run
 * lock keeps scheduled and manual runs from overlapping. A run is skipped, never queued, when a job of
 * the definition is running (a WARNING goes to that job's log), when the definition is disabled, or
 * when it was deleted (its leftover schedule is then deleted too).
 */
export function createStartScheduledRun(dependencies: ActivityDependencies) {
  return async function startScheduledRun(input: StartScheduledRunInput): Promise<StartScheduledRunResult> {
    const { store, clock } = dependencies;
    const context = Context.current();
    // Limitation: PROFILE_JOBS_IMPORT_JOBS_ENABLED is read by the API only, so schedules keep starting
    // runs on a deployment that switched import jobs off. Disable the definitions to pause them too.
    const definition = await findDefinition(store, input.definitionId);
    if (definition === null) {
      await deleteDefinitionSchedule(context.client, input.definitionId);
      return skip(`definition ${input.definitionId} was deleted; its schedule is deleted too`);
    }

    try {
      const job = await startJobRun({
        store,
        temporal: context.client,
        // The job runs on the task queue of this activity, which is the queue the schedule names.
        settings: {
          taskQueue: context.info.taskQueue,
          chunkWindow: input.chunkWindow,
          chunksPerRun: input.chunksPerRun,
        },
        definition,
        trigger: 'schedule',
        dryRun: false,
        now: clock(),
        jobId: input.jobId,
      });
      return { outcome: 'started', jobId: job._id };
    } catch (error) {
      if (error instanceof JobAlreadyRunningError) {
        await appendJobLogs(
          store,
          error.runningJobId,
          [
            {
              key: `schedule-skipped:${input.jobId}`,
              level: 'WARNING',
              content: 'Scheduled run skipped: this job was still running',
            },
          ],
          clock(),
        );
        return skip(error.message, error.runningJobId);
      }
      if (error instanceof DefinitionDisabledError || error instanceof DefinitionNotFoundError) {
        return skip(error.message);
      }
      if (error instanceof JobStartFailedError) {
        // The job is closed as FAILURE with this reason in its log; a retry would not change that.
        return { outcome: 'failed', jobId: error.jobId, reason: error.message };
      }
      throw error;
    }

    function skip(reason: string, runningJobId?: string): StartScheduledRunResult {
      context.log.warn('Skipped scheduled run', { definitionId: input.definitionId, reason });
      return runningJobId === undefined
        ? { outcome: 'skipped', reason }
        : { outcome: 'skipped', reason, runningJobId };
    }
  };
}
