import { ApplicationFailure } from '@temporalio/common';
import { DecryptionError } from '../core/decryption/decryption-error.js';
import { FileFormatError } from '../core/file-errors.js';
import { TooManyRecordsError } from '../core/plan/file-planner.js';
import { SourceError } from '../sources/source-errors.js';
import { SecretUnsealError } from '../store/secret-sealing.js';

/**
 * Turns the errors a job can meet into Temporal failures that carry a user-facing message and are
 * retried only when retrying may help. Other errors are returned as they are (retried by policy).
 */
export function toActivityFailure(error: unknown): unknown {
  if (
    error instanceof FileFormatError ||
    error instanceof TooManyRecordsError ||
    error instanceof DecryptionError ||
    error instanceof SecretUnsealError
  ) {
    return ApplicationFailure.create({ message: error.message, type: error.name, nonRetryable: true });
  }

  if (error instanceof SourceError) {
    return ApplicationFailure.create({
      message: error.message,
      type: error.retryable ? 'SourceUnavailable' : 'SourceError',
      nonRetryable: !error.retryable,
    });
  }

  return error;
}

/** Runs an activity body and converts what it throws with `toActivityFailure`. */
export async function withActivityFailures<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toActivityFailure(error);
  }
}
