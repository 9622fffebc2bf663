import type { Store } from '../store/connect-store.js';
import { readFailedRecordsParts } from '../store/failed-records.js';
import type { JobDocument } from '../store/jobs.js';
import { ApiError } from './api-errors.js';
import { streamedBody } from './streamed-body.js';

/**
 * Streams the saved file of a job's failed records, one stored part at a time.
 * @throws ApiError 409 while the job runs or before the file is saved; 410 when it could not be made.
 */
export function failedRecordsResponse(store: Store, job: JobDocument): Response {
  if (job.status === 'WAITING') {
    throw new ApiError(
      409,
      'job_running',
      `Job ${job._id} is still running; its failed records can be downloaded once it ends`,
    );
  }
  const saved = job.failed_records;
  if (saved === undefined) {
    throw new ApiError(
      409,
      'failed_records_pending',
      `The failed records of job ${job._id} are being copied from its file; try again in a moment`,
    );
  }
  if (saved.state === 'unavailable') {
    throw new ApiError(410, 'failed_records_unavailable', saved.reason);
  }
  if (job.plan === null) {
    throw new Error(`Job ${job._id} has failed records saved but no plan`);
  }

  const csv = job.plan.header !== null;
  const charset = job.plan.text_encoding;
  return new Response(streamedBody(readFailedRecordsParts(store, job._id, saved.parts)), {
    status: 200,
    headers: {
      'content-type': csv ? `text/csv; charset=${charset}` : `application/x-ndjson; charset=${charset}`,
      'content-length': String(saved.bytes),
      'content-disposition': `attachment; filename="job-${job._id}-failed-records.${csv ? 'csv' : 'json'}"`,
    },
  });
}
