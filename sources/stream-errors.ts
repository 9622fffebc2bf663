import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import type { SourceError } from './source-errors.js';

/**
 * Passes a store's response stream through and turns its errors into SourceErrors, so that a reset
 * connection in the middle of a read fails the activity with a message about the source. Destroying
 * the returned stream destroys the response too, which releases its connection.
 */
export function mapStreamErrors(stream: Readable, toSourceError: (error: unknown) => SourceError): Readable {
  const output = new PassThrough({ highWaterMark: 256 * 1024 });
  stream.once('error', (error) => output.destroy(toSourceError(error)));
  output.once('close', () => stream.destroy());
  stream.pipe(output);
  return output;
}
