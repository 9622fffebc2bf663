import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { JobActivities } from '../activities/create-activities.js';
import type { FinishJobResult } from '../activities/finish-job.js';
import type { JobOutcome } from '../core/job-model.js';
import { nonRetryableFailureTypes } from '../core/failure-types.js';
import { jobStatusKey } from '../core/search-attributes.js';
import { pauseSignal, progressQuery, resumeSignal } from './job-controls.js';
import type { JobProgress } from './job-controls.js';

/** Progress of a run between chunks, carried across continue-as-new instead of history. */
export interface JobCheckpoint {
  total: number;
  planFailed: number;
  chunkCount: number;
  /** Every chunk below this index has finished. */
  nextChunk: number;
  records: number;
  succeeded: number;
  failed: number;
  pauses: number;
}

export interface DeleteProfilesWorkflowInput {
  jobId: string;
  /** Chunk activities kept in flight. */
  chunkWindow: number;
  /**
   * Chunks one run starts before it continues as new; default 500, which keeps each history near
   * 2,000 events, well under 10,000. Temporal's own suggestion to continue as new also applies.
   */
  chunksPerRun?: number;
  /** Set when the run continued as new. */
  checkpoint?: JobCheckpoint;
  /** Retries of the end-of-job webhook; production defaults when unset. */
  webhookDelivery?: WebhookDelivery;
}

/**
 * Attempts of the end-of-job webhook: the first, then retries after `firstRetryDelayMs`, doubling
 * each time. The default, 6 attempts from 4 s, retries for about two minutes (4 + 8 + 16 + 32 + 64 s).
 */
export interface WebhookDelivery {
  maximumAttempts: number;
  firstRetryDelayMs: number;
}

const defaultWebhookDelivery: WebhookDelivery = { maximumAttempts: 6, firstRetryDelayMs: 4_000 };

export type DeleteProfilesWorkflowResult = FinishJobResult;

const defaultChunksPerRun = 500;

const { startJob, planJob } = proxyActivities<JobActivities>({
  // The plan reads the whole file once; a million records take minutes, so it heartbeats its position.
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: nonRetryableFailureTypes },
});

const { processChunk } = proxyActivities<JobActivities>({
  startToCloseTimeout: '30 minutes',
  // Heartbeats carry cancellation to a running chunk, so this bounds how long a cancel takes to land.
  heartbeatTimeout: '20 seconds',
  // The finish step counts what the chunks did, so it must wait until cancelled chunks have stopped.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { maximumAttempts: 10, nonRetryableErrorTypes: nonRetryableFailureTypes },
});

const { finishJob, setJobPaused } = proxyActivities<JobActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 20 },
});

const { saveFailedRecords } = proxyActivities<JobActivities>({
  // Reads the file once more, like the plan, so it has the plan's timeouts.
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: nonRetryableFailureTypes },
});

/**
 * Deletes the profiles a file names: plans the file, keeps a window of chunk activities in flight,
 * and finishes the job report. Only ids, offsets and counts pass through its history.
 */
export async function deleteProfilesWorkflow(
  input: DeleteProfilesWorkflowInput,
): Promise<DeleteProfilesWorkflowResult> {
  const { jobId } = input;
  const chunksPerRun = input.chunksPerRun ?? defaultChunksPerRun;
  const webhookDelivery = input.webhookDelivery ?? defaultWebhookDelivery;
  const { sendJobWebhook } = proxyActivities<JobActivities>({
    // Each attempt is one POST whose connect, headers and body timeouts are 10 s each.
    startToCloseTimeout: '1 minute',
    retry: {
      maximumAttempts: webhookDelivery.maximumAttempts,
      initialInterval: webhookDelivery.firstRetryDelayMs,
      backoffCoefficient: 2,
      nonRetryableErrorTypes: ['WebhookRejected', 'JobNotEnded'],
    },
  });
  let paused = false;
  let phase: JobProgress['phase'] = input.checkpoint === undefined ? 'planning' : 'processing';
  const state: JobCheckpoint = input.checkpoint ?? {
    total: 0,
    planFailed: 0,
    chunkCount: 0,
    nextChunk: 0,
    records: 0,
    succeeded: 0,
    failed: 0,
    pauses: 0,
  };
  let chunksDone = state.nextChunk;

  setHandler(pauseSignal, () => {
    paused = true;
  });
  setHandler(resumeSignal, () => {
    paused = false;
  });
  setHandler(progressQuery, () => ({
    phase,
    paused,
    total: state.total,
    processed: state.planFailed + state.records,
    succeeded: state.succeeded,
    failed: state.planFailed + state.failed,
    chunkCount: state.chunkCount,
    chunksDone,
  }));

  let running = 0;
  let outcome: JobOutcome | { kind: 'checkpoint' };
  try {
    if (input.checkpoint === undefined) {
      await startJob({ jobId });
      const plan = await planJob({ jobId });
      state.total = plan.total;
      state.planFailed = plan.failed;
      state.chunkCount = plan.chunkCount;
      phase = 'processing';
    }

    let chunkFailure: unknown = null;
    let startedThisRun = 0;
    while (state.nextChunk < state.chunkCount && chunkFailure === null) {
      await condition(() => running < input.chunkWindow || chunkFailure !== null);
      if (chunkFailure !== null) {
        break;
      }

      if (paused) {
        state.pauses += 1;
        await setJobPaused({ jobId, paused: true, sequence: state.pauses });
        await condition(() => !paused);
        await setJobPaused({ jobId, paused: false, sequence: state.pauses });
      }

      if (startedThisRun >= chunksPerRun || workflowInfo().continueAsNewSuggested) {
        break;
      }

      const chunkIndex = state.nextChunk;
      state.nextChunk += 1;
      startedThisRun += 1;
      running += 1;
      processChunk({ jobId, chunkIndex }).then(
        (result) => {
          state.records += result.records;
          state.succeeded += result.succeeded;
          state.failed += result.failed;
          chunksDone += 1;
          running -= 1;
        },
        (error: unknown) => {
          chunkFailure ??= error;
          running -= 1;
        },
      );
    }
    await condition(() => running === 0);

    if (chunkFailure !== null) {
      throw chunkFailure;
    }
    outcome = state.nextChunk < state.chunkCount ? { kind: 'checkpoint' } : { kind: 'completed' };
  } catch (error) {
    if (isCancellation(error)) {
      // Cancelled chunks store what they really deleted before they stop; count only after that.
      await CancellationScope.nonCancellable(() => condition(() => running === 0));
      await finish({ kind: 'cancelled' });
      throw error;
    }
    outcome = { kind: 'failed', reason: describeFailure(error) };
  }

  if (outcome.kind === 'checkpoint') {
    // Every chunk below nextChunk has finished, so the next run starts from there. This call throws
    // to end the run, which is why it sits outside the try block above.
    return continueAsNew<typeof deleteProfilesWorkflow>({ ...input, checkpoint: state });
  }
  return finish(outcome);

  async function finish(ending: JobOutcome): Promise<DeleteProfilesWorkflowResult> {
    phase = 'finishing';
    // A cancelled workflow must still close the job report, so this step ignores the cancellation.
    const result = await CancellationScope.nonCancellable(() => finishJob({ jobId, outcome: ending }));
    upsertSearchAttributes([{ key: jobStatusKey, value: result.status }]);
    await CancellationScope.nonCancellable(afterEnd);
    return result;
  }

  /**
   * Saves the failed records, then sends the webhook. The job's status is final by now, so a failure
   * of either step is only logged: it never changes how the job ended.
   */
  async function afterEnd(): Promise<void> {
    try {
      await saveFailedRecords({ jobId });
    } catch (error) {
      log.warn('Could not save the failed records', { jobId, error: describeFailure(error) });
    }

    try {
      await sendJobWebhook({ jobId, maximumAttempts: webhookDelivery.maximumAttempts });
    } catch (error) {
      // Each attempt already wrote its outcome to the job's log.
      log.warn('Webhook not delivered', { jobId, error: describeFailure(error) });
    }
  }
}

/** Returns the user-facing reason of a failed activity; our activities put it in the failure's message. */
function describeFailure(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) {
    return error.cause.message;
  }
  if (error instanceof ActivityFailure && error.cause !== undefined) {
    return `The job could not go on: ${error.cause.message}`;
  }
  if (error instanceof Error) {
    return `The job could not go on: ${error.message}`;
  }
  return 'The job could not go on for an unknown reason';
}
