export { deleteProfilesWorkflow } from './delete-profiles-workflow.js';
export type {
  DeleteProfilesWorkflowInput,
  DeleteProfilesWorkflowResult,
  JobCheckpoint,
} from './delete-profiles-workflow.js';
export { pauseSignal, resumeSignal, progressQuery } from './job-controls.js';
export type { JobProgress } from './job-controls.js';
export { scheduledRunWorkflow } from './scheduled-run-workflow.js';
export { retentionWorkflow } from './retention-workflow.js';
