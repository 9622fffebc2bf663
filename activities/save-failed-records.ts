import { Context } from '@temporalio/activity';
import { DecryptionError } from '../core/decryption/decryption-error.js';
import { fileFormatOf } from '../core/definition.js';
import { FileFormatError } from '../core/file-errors.js';
import { readRecords } from '../core/readers/read-records.js';
import { checkFileUnchanged } from '../sources/file-source.js';
import { JobFile } from '../sources/job-file.js';
import { SourceError } from '../sources/source-errors.js';
import { failedRecordsPartSize, saveFailedRecordsPart } from '../store/failed-records.js';
import { findFailedLines } from '../store/job-logs.js';
import { saveFailedRecordsState } from '../store/jobs.js';
import type { FailedRecordsState } from '../store/jobs.js';
import type { Store } from '../store/connect-store.js';
import type { ActivityDependencies } from './activity-dependencies.js';
import { withActivityFailures } from './activity-failures.js';
import { ByteWindow } from './byte-window.js';
import { loadJobContext } from './load-job-context.js';

export interface SaveFailedRecordsInput {
  jobId: string;
}

export type SaveFailedRecordsResult = FailedRecordsState;

/**
 * Saves the file of a job's failed records once the job has ended. It starts with the header bytes of
 * the job's file (byte-order mark and, for CSV, the header row). Then come the bytes of each failed
 * record, from its first byte to the first byte of the next record. So the file keeps the job's
 * format, options and encoding, and can be corrected and run again. An encrypted file gives its
 * plaintext.
 *
 * The failed lines are those of the job's WARNING log entries. The file is read once more, through
 * the same reader as the plan, and only after checking that its size and version are the ones the
 * plan recorded. A file that changed, disappeared or no longer decrypts is recorded as unavailable
 * with the reason; a source that is only unreachable is retried. Safe to run again: parts are
 * written under the same ids.
 */
export function createSaveFailedRecords(dependencies: ActivityDependencies) {
  return async function saveFailedRecords(input: SaveFailedRecordsInput): Promise<SaveFailedRecordsResult> {
    return withActivityFailures(async () => {
      const { store } = dependencies;
      const { job, definition } = await loadJobContext(dependencies, input.jobId);
      if (job.plan === null) {
        return save(store, input.jobId, {
          state: 'unavailable',
          reason: 'The job ended before its file was read, so no record of it was processed',
        });
      }

      const failedLines = await findFailedLines(store, input.jobId);
      await using jobFile = new JobFile(
        await dependencies.openSource(definition.source),
        definition.encryption,
      );
      try {
        checkFileUnchanged(
          jobFile,
          { size: job.plan.file_size, versionTag: job.plan.version_tag },
          await jobFile.stat(),
        );
        const written = await copyFailedRecords(store, input.jobId, jobFile, {
          fileFormat: fileFormatOf(definition),
          failedLines,
        });
        return save(store, input.jobId, { state: 'ready', ...written });
      } catch (error) {
        const retryable = error instanceof SourceError && error.retryable;
        const known =
          error instanceof SourceError ||
          error instanceof DecryptionError ||
          error instanceof FileFormatError;
        if (!known || retryable) {
          throw error;
        }
        return save(store, input.jobId, {
          state: 'unavailable',
          reason: `The job's file could not be read again to copy its failed records: ${error.message}`,
        });
      }
    });
  };
}

async function save(store: Store, jobId: string, state: FailedRecordsState): Promise<FailedRecordsState> {
  await saveFailedRecordsState(store, jobId, state);
  return state;
}

/**
 * Reads the file from its start and writes its header and failed records to the store in parts.
 * Stops reading after the last failed record.
 */
async function copyFailedRecords(
  store: Store,
  jobId: string,
  jobFile: JobFile,
  options: { fileFormat: ReturnType<typeof fileFormatOf>; failedLines: number[] },
): Promise<{ records: number; bytes: number; parts: number }> {
  const context = Context.current();
  const plainSize = await jobFile.plainSize();
  const window = new ByteWindow();
  const output = new PartWriter(store, jobId);

  let headerWritten = false;
  let openStart: number | null = null;
  let nextFailed = 0;
  let records = 0;
  let items = 0;
  for await (const item of readRecords(window.track(jobFile.readPlainRange({ start: 0 })), {
    fileFormat: options.fileFormat,
  })) {
    if (item.kind === 'header') {
      continue;
    }
    if (!headerWritten) {
      await output.write(window.slice(0, item.offset));
      headerWritten = true;
    }
    if (openStart !== null) {
      await output.write(window.slice(openStart, item.offset));
      records += 1;
      openStart = null;
    }
    window.release(item.offset);

    while (nextFailed < options.failedLines.length && (options.failedLines[nextFailed] ?? 0) < item.line) {
      nextFailed += 1;
    }
    if (options.failedLines[nextFailed] === item.line) {
      openStart = item.offset;
      nextFailed += 1;
    } else if (nextFailed >= options.failedLines.length) {
      break;
    }

    items += 1;
    if (items % 1_000 === 0) {
      context.heartbeat({ line: item.line });
    }
  }

  if (!headerWritten) {
    // A file without records: its whole content is the header.
    await output.write(window.slice(0, plainSize));
  }
  if (openStart !== null) {
    await output.write(window.slice(openStart, plainSize));
    records += 1;
  }
  const { bytes, parts } = await output.finish();
  return { records, bytes, parts };
}

/** Collects bytes into parts of `failedRecordsPartSize` and saves each part when it is full. */
class PartWriter {
  private pending: Uint8Array[] = [];
  private pendingSize = 0;
  private parts = 0;
  private bytes = 0;

  constructor(
    private readonly store: Store,
    private readonly jobId: string,
  ) {}

  async write(pieces: Uint8Array[]): Promise<void> {
    for (let piece of pieces) {
      while (piece.length > 0) {
        const room = failedRecordsPartSize - this.pendingSize;
        this.pending.push(piece.subarray(0, room));
        this.pendingSize += Math.min(room, piece.length);
        piece = piece.subarray(room);
        if (this.pendingSize === failedRecordsPartSize) {
          await this.flush();
        }
      }
    }
  }

  async finish(): Promise<{ bytes: number; parts: number }> {
    if (this.pendingSize > 0) {
      await this.flush();
    }
    return { bytes: this.bytes, parts: this.parts };
  }

  private async flush(): Promise<void> {
    await saveFailedRecordsPart(this.store, this.jobId, this.parts, Buffer.concat(this.pending));
    this.parts += 1;
    this.bytes += this.pendingSize;
    this.pending = [];
    this.pendingSize = 0;
  }
}
