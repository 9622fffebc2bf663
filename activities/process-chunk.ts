import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { fileFormatOf } from '../core/definition.js';
import { classifyRecord } from '../core/plan/classify-record.js';
import type { ReaderItem } from '../core/profile-record.js';
import { readRecordBatches } from '../core/readers/read-records.js';
import { checkFileUnchanged } from '../sources/file-source.js';
import { JobFile } from '../sources/job-file.js';
import { findJobChunk } from '../store/job-chunks.js';
import type { ActivityDependencies } from './activity-dependencies.js';
import { withActivityFailures } from './activity-failures.js';
import { applyDeletionBatch } from './apply-deletion-batch.js';
import type { BatchOutcome } from './apply-deletion-batch.js';
import { loadJobContext } from './load-job-context.js';
import type { BatchRecord } from './resolve-deletions.js';
import { createThrottledHeartbeat } from './throttled-heartbeat.js';

export interface ProcessChunkInput {
  jobId: string;
  chunkIndex: number;
}

/** Counts of the chunk's records that reached the store; records failed by the plan are not in them. */
export type ProcessChunkResult = BatchOutcome;

/**
 * Deletes the profiles named by one chunk of the file. Reads only the chunk's byte range, checks that
 * the file is the one the plan read, and applies its records in batches. Running it again after a
 * crash gives the same counts, because each batch's outcome is stored before and after its deletes.
 * Learns of cancellation through heartbeats and then sends no further delete.
 */
export function createProcessChunk(dependencies: ActivityDependencies) {
  return async function processChunk(input: ProcessChunkInput): Promise<ProcessChunkResult> {
    return withActivityFailures(async () => {
      const { store, settings } = dependencies;
      const context = Context.current();
      const { job, definition } = await loadJobContext(dependencies, input.jobId);

      const chunk = await findJobChunk(store, input.jobId, input.chunkIndex);
      if (job.plan === null || chunk === null) {
        throw ApplicationFailure.create({
          message: `Chunk ${input.chunkIndex} of job ${input.jobId} has no plan; the plan step must run first`,
          type: 'ChunkNotPlanned',
          nonRetryable: true,
        });
      }

      await using jobFile = new JobFile(
        await dependencies.openSource(definition.source),
        definition.encryption,
      );
      checkFileUnchanged(
        jobFile,
        { size: job.plan.file_size, versionTag: job.plan.version_tag },
        await jobFile.stat(),
      );

      const classifyOptions = {
        matchBy: definition.match_by,
        defaultRegion: definition.default_phone_region ?? settings.defaultPhoneRegion,
      };
      const skipLines = new Set(chunk.skip_lines);
      const totals: BatchOutcome = { records: 0, succeeded: 0, failed: 0 };
      const heartbeat = createThrottledHeartbeat(context);
      const batchOptions = {
        jobId: input.jobId,
        chunkIndex: input.chunkIndex,
        dryRun: job.dry_run,
        concurrency: settings.storeConcurrency,
        isCancelled: () => context.cancellationSignal.aborted,
        onProgress: () => heartbeat({ records: totals.records }),
      };

      let batch: BatchRecord[] = [];
      let batchIndex = 0;
      const applyBatch = async (): Promise<void> => {
        const outcome = await applyDeletionBatch(dependencies, {
          ...batchOptions,
          batchIndex,
          records: batch,
        });
        totals.records += outcome.records;
        totals.succeeded += outcome.succeeded;
        totals.failed += outcome.failed;
        batch = [];
        batchIndex += 1;
        if (context.cancellationSignal.aborted) {
          throw new CancelledFailure('The job was cancelled; the chunk stopped after its last delete');
        }
      };

      const batchRecordOf = (item: ReaderItem): BatchRecord | null => {
        // The plan already failed invalid records and duplicates, with their warnings.
        if (item.kind !== 'record' || skipLines.has(item.line)) {
          return null;
        }
        const classification = classifyRecord(item.record, classifyOptions);
        if (!classification.ok) {
          return null;
        }
        return {
          line: item.line,
          identifiers: classification.identifiers,
          matchField: classification.matchField,
        };
      };

      const bytes = jobFile.readPlainRange({ start: chunk.start_offset, end: chunk.end_offset });
      const itemBatches = readRecordBatches(bytes, {
        fileFormat: { ...fileFormatOf(definition), encoding: job.plan.text_encoding },
        startOffset: chunk.start_offset,
        startLine: chunk.start_line,
        header: job.plan.header ?? undefined,
      });
      for await (const items of itemBatches) {
        for (const item of items) {
          const record = batchRecordOf(item);
          if (record === null) {
            continue;
          }

          batch.push(record);
          if (batch.length === settings.batchRecords) {
            await applyBatch();
          }
        }
      }
      if (batch.length > 0) {
        await applyBatch();
      }

      return totals;
    });
  };
}
