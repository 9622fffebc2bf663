import { CancelledFailure } from '@temporalio/common';
import { appendJobLogs } from '../store/job-logs.js';
import { batchId, completeBatch, findJobBatch, savePendingBatch } from '../store/job-batches.js';
import { deleteProfileById } from '../store/profiles.js';
import type { ActivityDependencies } from './activity-dependencies.js';
import { resolveDeletions } from './resolve-deletions.js';
import type { BatchRecord, RecordFailure } from './resolve-deletions.js';
import { runBounded } from './run-bounded.js';

/** Records a batch applied and how they ended. */
export interface BatchOutcome {
  records: number;
  succeeded: number;
  failed: number;
}

export interface ApplyDeletionBatchOptions {
  jobId: string;
  chunkIndex: number;
  batchIndex: number;
  records: BatchRecord[];
  dryRun: boolean;
  /** Store operations in flight. */
  concurrency: number;
  isCancelled: () => boolean;
  onProgress: () => void;
}

/**
 * Resolves and deletes the profiles of one batch, exactly once across retries: a batch already done
 * returns its stored outcome, and a batch left pending by a crash deletes the profiles it had resolved.
 * When cancelled during its deletes, it waits for the deletes in flight and stores what really happened.
 * @throws CancelledFailure when cancelled before any delete of the batch was sent.
 */
export async function applyDeletionBatch(
  dependencies: ActivityDependencies,
  options: ApplyDeletionBatchOptions,
): Promise<BatchOutcome> {
  const { store } = dependencies;
  const id = batchId(options.jobId, options.chunkIndex, options.batchIndex);

  const earlier = await findJobBatch(store, id);
  if (earlier?.state === 'done') {
    return { records: earlier.records, succeeded: earlier.succeeded, failed: earlier.failed };
  }
  if (earlier?.state === 'pending') {
    // The deletes of this batch were under way when a worker stopped. Deleting by id again is harmless,
    // and a profile already gone was deleted by that earlier attempt.
    await runBounded(earlier.deletions, options.concurrency, (deletion) =>
      options.dryRun ? Promise.resolve(true) : deleteProfileById(store, deletion.profile_id),
    );
    const outcome = { records: earlier.records, succeeded: earlier.deletions.length, failed: earlier.failed };
    await completeBatch(store, id, outcome);
    return outcome;
  }

  const resolved = await resolveDeletions(store, options.records, {
    concurrency: options.concurrency,
    shouldStop: options.isCancelled,
    onProgress: options.onProgress,
  });
  if (resolved.stopped) {
    throw new CancelledFailure('The job was cancelled before this batch deleted anything');
  }

  await savePendingBatch(store, {
    _id: id,
    job_id: options.jobId,
    chunk: options.chunkIndex,
    batch: options.batchIndex,
    state: 'pending',
    records: options.records.length,
    succeeded: 0,
    failed: resolved.failures.length,
    deletions: resolved.deletions,
  });
  await writeFailureWarnings(dependencies, options.jobId, resolved.failures);

  const deleted = await runBounded(
    resolved.deletions,
    options.concurrency,
    async (deletion) => {
      const removed = options.dryRun ? true : await deleteProfileById(store, deletion.profile_id);
      options.onProgress();
      return removed;
    },
    options.isCancelled,
  );

  const lateFailures: RecordFailure[] = [];
  let succeeded = 0;
  let attempted = 0;
  resolved.deletions.forEach((deletion, index) => {
    const removed = deleted[index];
    if (removed === undefined) {
      return;
    }
    attempted += 1;
    if (removed) {
      succeeded += 1;
    } else {
      lateFailures.push({
        line: deletion.line,
        reason: 'no matching profile: it was deleted by another line',
      });
    }
  });
  await writeFailureWarnings(dependencies, options.jobId, lateFailures);

  const failed = resolved.failures.length + lateFailures.length;
  const outcome = { records: resolved.failures.length + attempted, succeeded, failed };
  await completeBatch(store, id, outcome);

  return outcome;
}

async function writeFailureWarnings(
  dependencies: ActivityDependencies,
  jobId: string,
  failures: RecordFailure[],
): Promise<void> {
  await appendJobLogs(
    dependencies.store,
    jobId,
    failures.map((failure) => ({
      key: `line:${failure.line}`,
      level: 'WARNING' as const,
      content: `Line ${failure.line}: ${failure.reason}.`,
      line: failure.line,
    })),
    dependencies.clock(),
  );
}
