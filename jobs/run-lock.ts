import { WorkflowNotFoundError } from '@temporalio/client';
import type { Client } from '@temporalio/client';
import { claimDefinitionRun, findDefinitionRunHolder, releaseDefinitionRun } from '../store/definitions.js';
import { sumJobBatches } from '../store/job-batches.js';
import { appendJobLogs } from '../store/job-logs.js';
import { findJob, finishJobReport } from '../store/jobs.js';
import type { Store } from '../store/connect-store.js';
import { processLogger } from '../worker/process-logger.js';
import { DefinitionNotFoundError, JobAlreadyRunningError } from './job-run-errors.js';

/**
 * A job whose workflow cannot be found yet may be one that another request is starting right now:
 * its lock is claimed and its report written before its workflow starts. Older than this, the job
 * never started, and its lock is taken over.
 */
const startGraceMs = 60_000;

export interface RunLockOptions {
  store: Store;
  temporal: Client;
  now: Date;
}

/**
 * Takes the run lock of a definition for `jobId`. A lock held by a job that is no longer running is
 * taken over; such a job's report is closed first (see `isJobRunning`).
 * @throws DefinitionNotFoundError, JobAlreadyRunningError
 */
export async function claimRunLock(
  options: RunLockOptions,
  definitionId: string,
  jobId: string,
): Promise<void> {
  const first = await claimDefinitionRun(options.store, definitionId, jobId);
  if (first === 'claimed') {
    return;
  }
  if (first === 'missing') {
    throw new DefinitionNotFoundError(definitionId);
  }
  if (await isJobRunning(options, first.runningJobId)) {
    throw new JobAlreadyRunningError(definitionId, first.runningJobId);
  }

  await releaseDefinitionRun(options.store, definitionId, first.runningJobId);
  const second = await claimDefinitionRun(options.store, definitionId, jobId);
  if (second === 'missing') {
    throw new DefinitionNotFoundError(definitionId);
  }
  if (second !== 'claimed') {
    throw new JobAlreadyRunningError(definitionId, second.runningJobId);
  }
}

/**
 * Returns the job that really runs for a definition, or null. A lock left by a job that has ended is
 * not a running job.
 * @returns `runningJobId` and `lockHolder` (the lock as stored, which a conditional write must expect),
 *   or undefined when the definition does not exist.
 */
export async function findRunningJob(
  options: RunLockOptions,
  definitionId: string,
): Promise<{ runningJobId: string | null; lockHolder: string | null } | undefined> {
  const holder = await findDefinitionRunHolder(options.store, definitionId);
  if (holder === undefined) {
    return undefined;
  }
  if (holder === null) {
    return { runningJobId: null, lockHolder: null };
  }
  const running = await isJobRunning(options, holder);
  return { runningJobId: running ? holder : null, lockHolder: holder };
}

/**
 * True when the job's report is WAITING and its workflow runs. A WAITING job whose workflow has
 * closed (terminated from the Temporal UI, timed out) or never started cannot finish its own report,
 * so this closes it as FAILURE with estimated counts and an ERROR line saying why.
 */
async function isJobRunning(options: RunLockOptions, jobId: string): Promise<boolean> {
  const { store, temporal, now } = options;
  const job = await findJob(store, jobId);
  if (job === null || job.status !== 'WAITING') {
    return false;
  }

  let workflowStatus: string;
  try {
    workflowStatus = (await temporal.workflow.getHandle(job.workflow_id).describe()).status.name;
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) {
      throw error;
    }
    if (now.getTime() - job.created_at.getTime() < startGraceMs) {
      return true;
    }
    workflowStatus = 'NOT_FOUND';
  }
  if (workflowStatus === 'RUNNING') {
    return true;
  }

  const batches = await sumJobBatches(store, jobId);
  const planFailed = job.plan?.failed ?? 0;
  const reason =
    workflowStatus === 'NOT_FOUND'
      ? 'The job never started: its workflow was not found in Temporal'
      : `The job's workflow ended as ${workflowStatus} before the job finished; counts are estimates`;
  await appendJobLogs(store, jobId, [{ key: 'error', level: 'ERROR', content: reason }], now);
  await finishJobReport(store, jobId, {
    status: 'FAILURE',
    counts: {
      total: job.total,
      processed: planFailed + batches.records,
      succeeded: batches.succeeded,
      failed: planFailed + batches.failed,
    },
    estimated: true,
    endedAt: now,
  });
  processLogger.warn(
    { jobId, definitionId: job.definition_id, workflowStatus },
    'Closed the report of a job whose workflow is gone',
  );
  return false;
}
