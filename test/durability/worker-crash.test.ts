import { afterAll, beforeAll, expect, test } from 'vitest';
import { insertProfiles } from '../../store/profiles.js';
import { bulkDeletionCsv, bulkProfiles, waitUntil } from '../support/bulk-fixture.js';
import { createDefinition, readReport, startRun, writeImportFile } from '../support/job-steps.js';
import { startJobEnvironment } from '../support/test-services.js';
import type { JobTestEnvironment } from '../support/test-services.js';
import { startWorkerProcess } from '../support/worker-process.js';
import type { ServiceProcess } from '../support/service-process.js';

let environment: JobTestEnvironment;
const workers: ServiceProcess[] = [];

beforeAll(async () => {
  environment = await startJobEnvironment(
    // A low store concurrency makes the job last long enough for the second worker to start.
    { chunkRecords: 500, batchRecords: 100, chunkWindow: 2, storeConcurrency: 4 },
    { inProcessWorker: false },
  );
});

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await environment?.close();
});

test('worker killed mid-job loses no count', { timeout: 180_000 }, async () => {
  await insertProfiles(environment.store, bulkProfiles(12_000));
  const path = await writeImportFile(environment, 'bulk.csv', bulkDeletionCsv(10_000, 100));
  const definitionId = await createDefinition(environment, { source: { protocol: 'local', path } });
  // The first worker runs alone until the job is under way, so it has chunks in flight when it dies.
  const first = await startWorkerProcess(environment.settings);
  workers.push(first);

  const started = await startRun(environment, definitionId);
  await waitUntil(
    () => readReport(environment, started.id),
    (report) => report.progress.processed >= 500,
    { timeoutMs: 60_000, what: '500 processed records' },
  );
  const second = await startWorkerProcess(environment.settings);
  workers.push(second);
  await first.kill();
  const atKill = await readReport(environment, started.id);

  expect(atKill.status).toBe('WAITING');
  expect(atKill.progress.processed).toBeLessThan(10_100);
  const handle = environment.temporal.workflow.getHandle(started.workflow_id);
  await handle.result();
  const history = await handle.fetchHistory();
  const retriedChunks = (history.events ?? []).filter(
    (event) => (event.activityTaskStartedEventAttributes?.attempt ?? 1) > 1,
  );
  expect(retriedChunks.length).toBeGreaterThan(0);
  const report = await readReport(environment, started.id);
  expect(report.status).toBe('SUCCESS');
  expect(report.total).toBe(10_100);
  expect(report.succeeded).toBe(10_000);
  expect(report.failed).toBe(100);
  expect(report.estimated).toBe(false);
  const remaining = await environment.store.profiles.find({}, { projection: { _id: 1 } }).toArray();
  expect(remaining.map((profile) => profile._id).sort()).toEqual(
    Array.from({ length: 2_000 }, (_, i) => `b-${10_000 + i}`).sort(),
  );
});
