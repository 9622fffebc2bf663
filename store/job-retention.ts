import type { Store } from './connect-store.js';
import { failedRecordsParts } from './failed-records.js';
import { deleteJob } from './jobs.js';

/**
 * Deletes a job report with everything stored for it: log entries, chunks, batches and the parts of
 * its failed-records file. Each delete is an equality on the indexed `job_id`. The report goes last,
 * so a run stopped part-way finds the job again and finishes the work.
 */
export async function deleteJobData(store: Store, jobId: string): Promise<void> {
  await store.jobLogs.deleteMany({ job_id: jobId });
  await store.jobChunks.deleteMany({ job_id: jobId });
  await store.jobBatches.deleteMany({ job_id: jobId });
  await failedRecordsParts(store).deleteMany({ job_id: jobId });
  await deleteJob(store, jobId);
}
