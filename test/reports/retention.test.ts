import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { saveFailedRecordsPart, failedRecordsParts } from '../../store/failed-records.js';
import { appendJobLogs } from '../../store/job-logs.js';
import { insertJob } from '../../store/jobs.js';
import type { JobStatus } from '../../core/job-model.js';
import { retentionScheduleId, ensureRetentionSchedule } from '../../worker/retention-schedule.js';
import type { RetentionWorkflowInput } from '../../workflows/retention-workflow.js';
import { startJobEnvironment } from '../support/test-services.js';
import type { JobTestEnvironment } from '../support/test-services.js';
import { jobDocument } from './report-support.js';

let environment: JobTestEnvironment;
const dayMs = 24 * 60 * 60 * 1000;

beforeAll(async () => {
  environment = await startJobEnvironment();
});

afterAll(async () => {
  await environment?.close();
});

/** Stores a job created `ageDays` ago with two log entries, a chunk, a batch and a failed-records part. */
async function storeJob(id: string, ageDays: number, status: JobStatus): Promise<void> {
  const { store } = environment;
  const createdAt = new Date(Date.now() - ageDays * dayMs);
  await insertJob(
    store,
    jobDocument({ _id: id, definition_id: 'definition-1', status, created_at: createdAt }),
  );
  await appendJobLogs(
    store,
    id,
    [
      { key: 'start', level: 'LOG', content: 'Delete profiles from file local file a.csv' },
      { key: 'line:2', level: 'WARNING', content: 'Line 2: no matching profile.', line: 2 },
    ],
    createdAt,
  );
  await store.jobChunks.insertOne({
    _id: `${id}:0`,
    job_id: id,
    index: 0,
    start_offset: 6,
    end_offset: 20,
    start_line: 2,
    record_count: 1,
    skip_lines: [],
  });
  await store.jobBatches.insertOne({
    _id: `${id}:0:0`,
    job_id: id,
    chunk: 0,
    batch: 0,
    state: 'done',
    records: 1,
    succeeded: 0,
    failed: 1,
    deletions: [],
  });
  await saveFailedRecordsPart(store, id, 0, Buffer.from('email\nnobody@example.com\n'));
}

async function idsIn(collection: 'jobs' | 'jobLogs' | 'jobChunks' | 'jobBatches'): Promise<string[]> {
  const documents = await environment.store[collection].find({}, { projection: { _id: 1 } }).toArray();
  return documents.map((document) => document._id).sort();
}

describe('retention workflow', () => {
  test('deletes exactly the old ended reports and their data', async () => {
    await storeJob('old-success', 200, 'SUCCESS');
    await storeJob('old-failure', 184, 'FAILURE');
    await storeJob('old-cancelled', 400, 'CANCELLED');
    await storeJob('old-running', 300, 'WAITING');
    await storeJob('recent', 182, 'SUCCESS');
    await storeJob('new', 0, 'SUCCESS');

    const result = await environment.temporal.workflow.execute('retentionWorkflow', {
      taskQueue: environment.taskQueue,
      workflowId: `retention-test-${randomUUID()}`,
      // A batch of 2 makes the workflow loop over several batches.
      args: [{ retentionDays: 183, batchSize: 2 } satisfies RetentionWorkflowInput],
    });

    const kept = ['new', 'old-running', 'recent'];
    expect(result).toEqual({ deleted: 3 });
    expect(await idsIn('jobs')).toEqual(kept);
    expect(await idsIn('jobLogs')).toEqual(kept.flatMap((id) => [`${id}:line:2`, `${id}:start`]).sort());
    expect(await idsIn('jobChunks')).toEqual(kept.map((id) => `${id}:0`).sort());
    expect(await idsIn('jobBatches')).toEqual(kept.map((id) => `${id}:0:0`).sort());
    const parts = await failedRecordsParts(environment.store)
      .find({}, { projection: { _id: 1 } })
      .toArray();
    expect(parts.map((part) => part._id).sort()).toEqual(kept.map((id) => `${id}:0`).sort());
  });
});

describe('retention schedule', () => {
  test('is created once and updated with the retention period', async () => {
    const taskQueue = `retention-${randomUUID()}`;
    const handle = environment.temporal.schedule.getHandle(retentionScheduleId(taskQueue));
    try {
      await ensureRetentionSchedule(environment.temporal, { taskQueue, retentionDays: 183 });
      await ensureRetentionSchedule(environment.temporal, { taskQueue, retentionDays: 90 });

      const description = await handle.describe();
      expect(description.action.type).toBe('startWorkflow');
      expect(description.action.type === 'startWorkflow' ? description.action.args : null).toEqual([
        { retentionDays: 90 },
      ]);
      expect(description.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 3, end: 3, step: 1 }] });
    } finally {
      await handle.delete();
    }
  });
});
