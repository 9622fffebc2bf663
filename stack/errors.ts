/**
 * Thrown when a server of the embedded stack cannot be built, started, reached or stopped, or
 * when the stack's configuration is invalid (`service` is then `config`). The message states what
 * failed and what to do next, and `logFile` names the file with the details.
 */
export class StackError extends Error {
  override name = 'StackError';

  constructor(
    message: string,
    readonly service: string,
    readonly logFile?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
