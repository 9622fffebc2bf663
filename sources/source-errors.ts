/** Reason a source could not provide the file. */
export type SourceFailure =
  | 'not_found'
  | 'access_denied'
  | 'path_rejected'
  | 'unreachable'
  /** The file's size or version tag differs from what the plan recorded, or a read ended early. */
  | 'file_changed';

/**
 * Thrown by a source. The message names the source and the reason, never a secret. `retryable` is
 * false for what retrying cannot fix (a missing file, a refused login, a path outside the root).
 */
export class SourceError extends Error {
  override readonly name = 'SourceError';

  constructor(
    message: string,
    readonly failure: SourceFailure,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
