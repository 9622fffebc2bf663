/**
 * Thrown by a reader when the file cannot be read any further as the chosen format: bytes that are
 * not valid in the chosen encoding, a JSON value that is not an object stream, a CSV row that cannot
 * be parsed. The job that meets it cannot go on, so it fails with this message in an ERROR log line.
 */
export class FileFormatError extends Error {
  override readonly name = 'FileFormatError';

  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}
