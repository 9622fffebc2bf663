import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Definition } from '../core/definition.js';
import type { JobTrigger } from '../core/job-model.js';
import { definitionIdKey, jobStatusKey, jobTypeKey, jobWorkflowId } from '../core/search-attributes.js';
import type { Settings } from '../core/settings.js';
import type { Store } from '../store/connect-store.js';
import { claimDefinitionRun, releaseDefinitionRun } from '../store/definitions.js';
import { appendJobLogs } from '../store/job-logs.js';
import { finishJobReport, findJob, insertJob } from '../store/jobs.js';
import type { JobDocument } from '../store/jobs.js';
import type { deleteProfilesWorkflow } from '../workflows/delete-profiles-workflow.js';
import { processLogger } from '../worker/process-logger.js';
import { ApiError } from './api-errors.js';

export interface StartJobRunOptions {
  store: Store;
  temporal: Client;
  settings: Pick<Settings, 'taskQueue' | 'chunkWindow' | 'chunksPerRun'>;
  definition: Definition;
  trigger: JobTrigger;
  dryRun: boolean;
  now: Date;
}

/**
 * Creates a job for a definition and starts its workflow. At most one job of a definition runs at a
 * time: the definition's run lock is taken first, and a lock left by a job that has ended is taken over.
 * @throws ApiError 409 when the definition is disabled or already running, 503 when Temporal is unreachable.
 */
export async function startJobRun(options: StartJobRunOptions): Promise<JobDocument> {
  const { store, definition } = options;
  if (!definition.enabled) {
    throw new ApiError(
      409,
      'definition_disabled',
      `Definition ${definition.id} is disabled; enable it to run it`,
    );
  }

  const jobId = randomUUID();
  await claimRunLock(store, definition.id, jobId);

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

  try {
    await options.temporal.workflow.start<typeof deleteProfilesWorkflow>('deleteProfilesWorkflow', {
      taskQueue: options.settings.taskQueue,
      workflowId: job.workflow_id,
      args: [
        { jobId, chunkWindow: options.settings.chunkWindow, chunksPerRun: options.settings.chunksPerRun },
      ],
      typedSearchAttributes: [
        { key: definitionIdKey, value: definition.id },
        { key: jobTypeKey, value: job.job_type },
        { key: jobStatusKey, value: job.status },
      ],
      memo: { definitionName: definition.name },
    });
  } catch (error) {
    processLogger.error({ err: error, jobId, definitionId: definition.id }, 'Could not start job workflow');
    const reason = 'The job could not start because Temporal did not accept its workflow; try again later';
    await appendJobLogs(store, jobId, [{ key: 'error', level: 'ERROR', content: reason }], options.now);
    await finishJobReport(store, jobId, {
      status: 'FAILURE',
      counts: { total: 0, processed: 0, succeeded: 0, failed: 0 },
      estimated: false,
      endedAt: options.now,
    });
    await releaseDefinitionRun(store, definition.id, jobId);
    throw new ApiError(503, 'temporal_unavailable', reason);
  }

  return job;
}

async function claimRunLock(store: Store, definitionId: string, jobId: string): Promise<void> {
  const holder = await claimDefinitionRun(store, definitionId, jobId);
  if (holder === null) {
    return;
  }

  const runningJob = await findJob(store, holder.runningJobId);
  if (runningJob === null || runningJob.status !== 'WAITING') {
    await releaseDefinitionRun(store, definitionId, holder.runningJobId);
    if ((await claimDefinitionRun(store, definitionId, jobId)) === null) {
      return;
    }
  }

  throw new ApiError(
    409,
    'job_running',
    `Definition ${definitionId} already has a running job (${holder.runningJobId}); wait for it to end or cancel it first`,
  );
}
