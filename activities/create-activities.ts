import type { ActivityDependencies } from './activity-dependencies.js';
import { createFinishJob } from './finish-job.js';
import { createSetJobPaused } from './pause-job.js';
import { createPlanJob } from './plan-job.js';
import { createProcessChunk } from './process-chunk.js';
import { createStartJob } from './start-job.js';
import { createStartScheduledRun } from './start-scheduled-run.js';
import { createSaveFailedRecords } from './save-failed-records.js';
import { createSendJobWebhook } from './send-job-webhook.js';
import { createDeleteExpiredJobs } from './delete-expired-jobs.js';

/** Builds the job activities around their dependencies; the worker registers the returned object. */
export function createActivities(dependencies: ActivityDependencies) {
  return {
    startJob: createStartJob(dependencies),
    planJob: createPlanJob(dependencies),
    processChunk: createProcessChunk(dependencies),
    setJobPaused: createSetJobPaused(dependencies),
    finishJob: createFinishJob(dependencies),
    startScheduledRun: createStartScheduledRun(dependencies),
    saveFailedRecords: createSaveFailedRecords(dependencies),
    sendJobWebhook: createSendJobWebhook(dependencies),
    deleteExpiredJobs: createDeleteExpiredJobs(dependencies),
  };
}

export type JobActivities = ReturnType<typeof createActivities>;
