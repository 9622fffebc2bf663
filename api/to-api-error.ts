import { ServiceError } from '@temporalio/client';
import {
  DefinitionDisabledError,
  DefinitionNotFoundError,
  JobAlreadyRunningError,
  JobStartFailedError,
} from '../jobs/job-run-errors.js';
import { processLogger } from '../worker/process-logger.js';
import { ApiError } from './api-errors.js';

/**
 * Returns the API error for an error of a run or of a Temporal call, or the error itself when no API
 * error fits, so that it becomes a 500.
 */
export function toApiError(error: unknown, whatFailed = 'The request'): unknown {
  if (error instanceof DefinitionNotFoundError) {
    return new ApiError(404, 'definition_not_found', error.message);
  }
  if (error instanceof DefinitionDisabledError) {
    return new ApiError(409, 'definition_disabled', error.message);
  }
  if (error instanceof JobAlreadyRunningError) {
    return new ApiError(409, 'job_running', error.message);
  }
  if (error instanceof JobStartFailedError) {
    return new ApiError(503, 'temporal_unavailable', error.message);
  }
  if (error instanceof ServiceError) {
    processLogger.warn({ err: error, whatFailed }, 'Temporal call failed');
    return new ApiError(
      503,
      'temporal_unavailable',
      `${whatFailed} failed because Temporal did not answer (${error.message}); try again later`,
    );
  }
  return error;
}

/** Runs a call and turns its errors into API errors with `toApiError`. */
export async function withApiErrors<T>(body: () => Promise<T>, whatFailed?: string): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toApiError(error, whatFailed);
  }
}
