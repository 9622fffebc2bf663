import { setJobPaused } from '../store/jobs.js';
import { appendJobLogs } from '../store/job-logs.js';
import type { ActivityDependencies } from './activity-dependencies.js';

export interface SetJobPausedInput {
  jobId: string;
  paused: boolean;
  /** Distinguishes the log entries of successive pauses of one job. */
  sequence: number;
}

/** Shows a pause or resume on the job report and in its log. */
export function createSetJobPaused(dependencies: ActivityDependencies) {
  return async function setJobPausedActivity(input: SetJobPausedInput): Promise<void> {
    await setJobPaused(dependencies.store, input.jobId, input.paused);
    await appendJobLogs(
      dependencies.store,
      input.jobId,
      [
        {
          key: `pause:${input.sequence}:${input.paused}`,
          level: 'LOG',
          content: input.paused ? 'Job paused: no new chunk starts until it is resumed' : 'Job resumed',
        },
      ],
      dependencies.clock(),
    );
  };
}
