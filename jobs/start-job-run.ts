import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Client } from '@temporalio/client';
import type { SealedDefinition } from '../core/definition.js';
import type { JobTrigger } from '../core/job-model.js';
import { definitionIdKey, jobStatusKey, jobTypeKey, jobWorkflowId } from '../core/search-attributes.js';
import type { Settings } from '../core/settings.js';
import type { Store } from '../store/connect-store.js';
import { releaseDefinitionRun } from '../store/definitions.js';
import { appendJobLogs } from '../store/job-logs.js';
import { finishJobReport, findJob, insertJob } from '../store/jobs.js';
import type { JobDocument } from '../store/jobs.js';
import type { deleteProfilesWorkflow } from '../workflows/delete-profiles-workflow.js';
import { processLogger } from '../worker/process-logger.js';
import { DefinitionDisabledError, JobStartFailedError } from './job-run-errors.js';
import { claimRunLock } from './run-lock.js';

export interface StartJobRunOptions {
  store: Store;
  temporal: Client;
  settings: Pick<Settings, 'taskQueue' | 'chunkWindow' | 'chunksPerRun'>;
  definition: Pick<SealedDefinition, 'id' | 'name' | 'enabled'>;
  trigger: JobTrigger;
  dryRun: boolean;
  now: Date;
  /**
   * Id of the job to create. A caller that may retry (the scheduled-run activity) passes the same id
   * each time, so a retry continues the first attempt instead of starting a second job. New if unset.
   */
  jobId?: string;
}

/**
 * Creates a job for a definition and starts its workflow: the one path of every run, manual or
 * scheduled. At most one job of a definition runs at a time: the definition's run lock is taken
 * first, and a lock left by a job that has ended is taken over.
 * @throws DefinitionDisabledError, DefinitionNotFoundError, JobAlreadyRunningError, JobStartFailedError;
 *   errors of the store or of Temporal while checking the lock are passed on.
 */
export async function startJobRun(options: StartJobRunOptions): Promise<JobDocument> {
  const { store, definition } = options;
  if (options.jobId !== undefined) {
    const earlier = await findJob(store, options.jobId);
    if (earlier !== null) {
      return earlier.status === 'WAITING' ? startJobWorkflow(options, earlier) : earlier;
    }
  }
  if (!definition.enabled) {
    throw new DefinitionDisabledError(definition.id);
  }

  const jobId = options.jobId ?? randomUUID();
  await claimRunLock(options, definition.id, jobId);

  const job: JobDocument = {
    _id: jobId,
    definition_id: definition.id,
    definition_name: definition.name,
    job_type: 'DELETION',
    trigger: options.trigger,
    status: 'WAITING',
    paused: false,
    dry_run: options.dryRun,
    workflow_id: jobWorkflowId(jobId),
    total: 0,
    processed: 0,
    succeeded: 0,
    failed: 0,
    estimated: false,
    plan: null,
    created_at: options.now,
    started_at: null,
    ended_at: null,
  };
  await insertJob(store, job);

  return startJobWorkflow(options, job);
}

/**
 * Starts the workflow of a created job; a workflow already started for it (a retried start) is kept.
 * When Temporal rejects the start, the job is closed as FAILURE and its run lock released.
 */
async function startJobWorkflow(options: StartJobRunOptions, job: JobDocument): Promise<JobDocument> {
  const { store, definition } = options;
  try {
    await options.temporal.workflow.start<typeof deleteProfilesWorkflow>('deleteProfilesWorkflow', {
      taskQueue: options.settings.taskQueue,
      workflowId: job.workflow_id,
      // One workflow per job, ever: a retried start must never run a closed job a second time.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [
        {
          jobId: job._id,
          chunkWindow: options.settings.chunkWindow,
          chunksPerRun: options.settings.chunksPerRun,
        },
      ],
      typedSearchAttributes: [
        { key: definitionIdKey, value: definition.id },
        { key: jobTypeKey, value: job.job_type },
        { key: jobStatusKey, value: job.status },
      ],
      memo: { definitionName: definition.name },
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      return job;
    }

    processLogger.error(
      { err: error, jobId: job._id, definitionId: definition.id },
      'Could not start job workflow',
    );
    const failure = new JobStartFailedError(job._id, { cause: error });
    await appendJobLogs(
      store,
      job._id,
      [{ key: 'error', level: 'ERROR', content: failure.message }],
      options.now,
    );
    await finishJobReport(store, job._id, {
      status: 'FAILURE',
      counts: { total: 0, processed: 0, succeeded: 0, failed: 0 },
      estimated: false,
      endedAt: options.now,
    });
    await releaseDefinitionRun(store, definition.id, job._id);
    throw failure;
  }

  return job;
}
