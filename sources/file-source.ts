import type { Readable } from 'node:stream';
import { SourceError } from './source-errors.js';

/** Size and version of a file; a chunk read compares them with what the plan recorded. */
export interface FileStat {
  /** Bytes. */
  size: number;
  /** Changes whenever the file's content may have changed: an ETag, a generation or a modification time. */
  versionTag: string;
}

/** A byte range [start, end) of a file. */
export interface ByteRange {
  start: number;
  end: number;
}

/** One file on one store. Every source reads ranges, so any worker can process any chunk. */
export interface FileSource {
  /** Names the file and its store for log lines, without secrets: `local file imports/a.csv`. */
  readonly description: string;
  /** @throws SourceError */
  stat(): Promise<FileStat>;
  /**
   * Streams the bytes of `range`. A range that starts at the end of the file gives no bytes.
   * @throws SourceError
   */
  read(range: ByteRange): Promise<Readable>;
  /**
   * Ends the connection to the store, if the source has one. A later `stat` or `read` opens a new
   * one. Never throws.
   */
  close?(): Promise<void>;
}

/**
 * Yields the chunks of a range read and checks that exactly `end - start` bytes arrived, so a file
 * cut short under a running job fails instead of losing its last records.
 * @throws SourceError with failure `file_changed` when the stream ends early or runs long.
 */
export async function* readExactRange(source: FileSource, range: ByteRange): AsyncGenerator<Uint8Array> {
  const expected = range.end - range.start;
  if (expected === 0) {
    return;
  }

  const stream = await source.read(range);
  let received = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Uint8Array>) {
      received += chunk.length;
      if (received > expected) {
        throw fileChanged(source, `it returned more than the ${expected} bytes asked for`);
      }
      yield chunk;
    }
  } finally {
    stream.destroy();
  }

  if (received !== expected) {
    throw fileChanged(source, `it ended after ${received} of ${expected} bytes`);
  }
}

/** Fails when a file's size or version differs from what the plan recorded. */
export function checkFileUnchanged(
  source: Pick<FileSource, 'description'>,
  planned: FileStat,
  current: FileStat,
): void {
  if (planned.size !== current.size || planned.versionTag !== current.versionTag) {
    throw fileChanged(
      source,
      `its size went from ${planned.size} to ${current.size} bytes or its version from ${planned.versionTag} to ${current.versionTag}`,
    );
  }
}

/** Builds the error of a file that changed or was cut short under a running job; `detail` names what differed. */
export function fileChanged(source: Pick<FileSource, 'description'>, detail: string): SourceError {
  return new SourceError(
    `The file changed or was truncated while the job ran (${source.description}: ${detail}). Upload it again and start a new run.`,
    'file_changed',
    false,
  );
}
