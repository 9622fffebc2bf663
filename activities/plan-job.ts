import { Context } from '@temporalio/activity';
import { fileFormatOf } from '../core/definition.js';
import { FilePlanner } from '../core/plan/file-planner.js';
import { readRecordBatches } from '../core/readers/read-records.js';
import { detectTextEncoding } from '../core/readers/decode-text.js';
import { JobFile } from '../sources/job-file.js';
import { appendJobLogs } from '../store/job-logs.js';
import { saveJobChunks, chunkId } from '../store/job-chunks.js';
import { saveJobPlan } from '../store/jobs.js';
import type { ActivityDependencies } from './activity-dependencies.js';
import { withActivityFailures } from './activity-failures.js';
import { loadJobContext } from './load-job-context.js';
import { createThrottledHeartbeat } from './throttled-heartbeat.js';

export interface PlanJobInput {
  jobId: string;
}

export interface PlanJobResult {
  /** Records in the file. */
  total: number;
  /** Records failed by the plan: invalid, without identifier, or duplicates of an earlier line. */
  failed: number;
  chunkCount: number;
}

/**
 * Warnings are written after every this many records, so a file full of bad lines never sits whole
 * in memory. A batch of the reader may pass the mark by the records of one buffer.
 */
const warningWriteSize = 1_000;

/**
 * Reads the whole file once: counts and checks its records, writes a WARNING for each one that fails,
 * and saves the chunks that the chunk activities process. Changes no profile, so a file that is too
 * large or unreadable fails the job before anything is deleted. Safe to run again: it writes the same
 * chunks and log entries under the same keys.
 */
export function createPlanJob(dependencies: ActivityDependencies) {
  return async function planJob(input: PlanJobInput): Promise<PlanJobResult> {
    return withActivityFailures(async () => {
      const { store, settings, clock } = dependencies;
      const { definition } = await loadJobContext(dependencies, input.jobId);

      // Secrets come from the stored definition here, so none enter workflow inputs or history.
      await using jobFile = new JobFile(
        await dependencies.openSource(definition.source),
        definition.encryption,
      );
      const fileStat = await jobFile.stat();

      const planner = new FilePlanner({
        matchBy: definition.match_by,
        defaultRegion: definition.default_phone_region ?? settings.defaultPhoneRegion,
        chunkRecords: settings.chunkRecords,
        maxRecords: settings.maxRecords,
      });
      const fileFormat = fileFormatOf(definition);
      let firstBytes: Uint8Array = new Uint8Array(0);
      const bytes = keepFirstBytes(jobFile.readPlainRange({ start: 0 }), (first) => {
        firstBytes = first;
      });
      const heartbeat = createThrottledHeartbeat(Context.current());
      const scanStart = performance.now();
      let recordsAtLastWrite = 0;
      for await (const items of readRecordBatches(bytes, { fileFormat })) {
        for (const item of items) {
          planner.add(item);
        }
        if (planner.records - recordsAtLastWrite >= warningWriteSize) {
          recordsAtLastWrite = planner.records;
          await writeWarnings(planner.takeWarnings());
          heartbeat({ records: planner.records });
        }
      }
      await writeWarnings(planner.takeWarnings());
      const scanSeconds = (performance.now() - scanStart) / 1000;

      // Chunk offsets count plaintext bytes; the stored file's size and version detect changes.
      const plan = planner.finish(await jobFile.plainSize());
      await saveJobChunks(
        store,
        plan.chunks.map((chunk) => ({
          _id: chunkId(input.jobId, chunk.index),
          job_id: input.jobId,
          index: chunk.index,
          start_offset: chunk.startOffset,
          end_offset: chunk.endOffset,
          start_line: chunk.startLine,
          record_count: chunk.recordCount,
          skip_lines: chunk.skipLines,
        })),
      );
      await saveJobPlan(
        store,
        input.jobId,
        {
          file_size: fileStat.size,
          version_tag: fileStat.versionTag,
          text_encoding: detectTextEncoding(fileFormat.encoding, firstBytes).encoding,
          header: plan.header,
          chunk_count: plan.chunks.length,
          failed: plan.failed,
          scan_seconds: scanSeconds,
        },
        plan.total,
      );
      await appendJobLogs(
        store,
        input.jobId,
        [{ key: 'plan:total', level: 'LOG', content: `Total profiles to delete: ${plan.total}` }],
        clock(),
      );

      Context.current().log.info('Planned job', {
        jobId: input.jobId,
        records: plan.total,
        failed: plan.failed,
        chunks: plan.chunks.length,
        scanSeconds,
      });
      return { total: plan.total, failed: plan.failed, chunkCount: plan.chunks.length };
    });

    async function writeWarnings(warnings: { line: number; content: string }[]): Promise<void> {
      await appendJobLogs(
        dependencies.store,
        input.jobId,
        warnings.map((warning) => ({
          key: `line:${warning.line}`,
          level: 'WARNING' as const,
          content: warning.content,
          line: warning.line,
        })),
        dependencies.clock(),
      );
    }
  };
}

/** Passes the bytes through and hands over the first few, where a byte-order mark would be. */
async function* keepFirstBytes(
  bytes: AsyncIterable<Uint8Array>,
  onFirstBytes: (first: Uint8Array) => void,
): AsyncGenerator<Uint8Array> {
  let first = true;
  for await (const chunk of bytes) {
    if (first) {
      onFirstBytes(chunk.subarray(0, 4));
      first = false;
    }
    yield chunk;
  }
}
