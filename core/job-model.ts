/**
 * Job statuses. `WAITING` covers queued and running jobs (a paused job is `WAITING` with `paused: true`);
 * the other three are final.
 */
export const jobStatuses = ['WAITING', 'SUCCESS', 'FAILURE', 'CANCELLED'] as const;
export type JobStatus = (typeof jobStatuses)[number];

export const jobTypes = ['IMPORT', 'DELETION'] as const;
export type JobType = (typeof jobTypes)[number];

export const jobTriggers = ['manual', 'schedule'] as const;
export type JobTrigger = (typeof jobTriggers)[number];

export const logLevels = ['ERROR', 'WARNING', 'LOG'] as const;
export type LogLevel = (typeof logLevels)[number];

/** Record counts of a job. `total` is the number of records in the file, known once the plan is done. */
export interface JobCounts {
  total: number;
  processed: number;
  succeeded: number;
  failed: number;
}

/** Outcome of a run, as the workflow reports it to the finishing step. */
export type JobOutcome =
  | { kind: 'completed' }
  | { kind: 'cancelled' }
  | {
      kind: 'failed';
      /** A user-facing reason, free of secrets and personal data; it becomes the job's ERROR log line. */
      reason: string;
    };

/** Returns the whole percent of `processed` over `total`, 0 while the total is unknown. */
export function percentDone(counts: Pick<JobCounts, 'processed' | 'total'>): number {
  if (counts.total === 0) {
    return 0;
  }

  return Math.floor((counts.processed * 100) / counts.total);
}
