import { defineQuery, defineSignal } from '@temporalio/workflow';

/** Live progress of a running job, from the chunks that have finished. */
export interface JobProgress {
  phase: 'planning' | 'processing' | 'finishing';
  paused: boolean;
  total: number;
  processed: number;
  succeeded: number;
  failed: number;
  chunkCount: number;
  chunksDone: number;
}

/** Stops starting new chunks; chunks already running finish. */
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const progressQuery = defineQuery<JobProgress>('progress');
