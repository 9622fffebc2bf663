import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ByteRange, FileSource, FileStat } from './file-source.js';
import { SourceError } from './source-errors.js';

/**
 * A file under the server's import root. The path is resolved, symbolic links included, and must stay
 * inside the root, so a definition can never read other files of the server.
 */
export class LocalFileSource implements FileSource {
  readonly description: string;

  private constructor(
    private readonly filePath: string,
    relativePath: string,
  ) {
    this.description = `local file ${relativePath}`;
  }

  /** @throws SourceError `path_rejected` for a path that leaves the root, `not_found` for a missing file. */
  static async open(importRoot: string, relativePath: string): Promise<LocalFileSource> {
    const root = await realpath(importRoot).catch((cause: unknown) => {
      throw new SourceError(
        `The import root ${importRoot} does not exist; create it or set PROFILE_JOBS_IMPORT_ROOT.`,
        'not_found',
        false,
        { cause },
      );
    });

    const requested = path.resolve(root, relativePath);
    rejectOutsideRoot(root, requested, relativePath);

    const resolved = await realpath(requested).catch((cause: unknown) => {
      throw new SourceError(
        `File not found: local file ${relativePath} under the import root. Check the definition's source.path.`,
        'not_found',
        false,
        { cause },
      );
    });
    rejectOutsideRoot(root, resolved, relativePath);

    return new LocalFileSource(resolved, relativePath);
  }

  async stat(): Promise<FileStat> {
    const info = await stat(this.filePath).catch((cause: unknown) => {
      throw new SourceError(`File not found: ${this.description}.`, 'not_found', false, { cause });
    });
    if (!info.isFile()) {
      throw new SourceError(`${this.description} is not a regular file.`, 'not_found', false);
    }
    return { size: info.size, versionTag: `${info.ino}-${info.mtimeMs}` };
  }

  async read(range: ByteRange): Promise<Readable> {
    if (range.end <= range.start) {
      return Readable.from([]);
    }
    return createReadStream(this.filePath, {
      start: range.start,
      end: range.end - 1,
      highWaterMark: 256 * 1024,
    });
  }
}

function rejectOutsideRoot(root: string, candidate: string, relativePath: string): void {
  const fromRoot = path.relative(root, candidate);
  if (fromRoot === '' || fromRoot.startsWith('..') || path.isAbsolute(fromRoot)) {
    throw new SourceError(
      `source.path ${JSON.stringify(relativePath)} is outside the import root; give a path to a file inside it.`,
      'path_rejected',
      false,
    );
  }
}
