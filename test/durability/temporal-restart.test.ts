import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { insertProfiles } from '../../store/profiles.js';
import { bulkDeletionCsv, bulkProfiles, waitUntil } from '../support/bulk-fixture.js';
import { createDefinition, readReport, startRun, writeImportFile } from '../support/job-steps.js';
import { privateTemporal } from '../support/private-temporal.js';
import type { PrivateTemporal } from '../support/private-temporal.js';
import { startJobEnvironment } from '../support/test-services.js';
import type { JobTestEnvironment } from '../support/test-services.js';

let temporalFolder: string;
let temporal: PrivateTemporal;
let environment: JobTestEnvironment;

beforeAll(async () => {
  temporalFolder = await mkdtemp(path.join(tmpdir(), 'profile-jobs-temporal-'));
  temporal = await privateTemporal(path.join(temporalFolder, 'temporal.db'));
  await temporal.start();
  environment = await startJobEnvironment({
    temporalAddress: temporal.address,
    chunkRecords: 500,
    batchRecords: 100,
    chunkWindow: 2,
  });
}, 120_000);

afterAll(async () => {
  await environment?.close();
  await temporal?.kill();
  await rm(temporalFolder, { recursive: true, force: true });
});

test('Temporal restarted mid-job loses no count', { timeout: 240_000 }, async () => {
  await insertProfiles(environment.store, bulkProfiles(6_000));
  const path = await writeImportFile(environment, 'bulk.csv', bulkDeletionCsv(5_000, 100));
  const definitionId = await createDefinition(environment, { source: { protocol: 'local', path } });

  const started = await startRun(environment, definitionId);
  await waitUntil(
    () => readReport(environment, started.id),
    (report) => report.progress.processed >= 1_000,
    { timeoutMs: 60_000, what: '1,000 processed records' },
  );
  await temporal.kill();
  const whileDown = await readReport(environment, started.id);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  await temporal.start();

  expect(whileDown.status).toBe('WAITING');
  const report = await waitUntil(
    () => readReport(environment, started.id),
    (current) => current.status !== 'WAITING',
    { timeoutMs: 180_000, what: 'the job to end' },
  );
  expect(report.status).toBe('SUCCESS');
  expect(report.succeeded).toBe(5_000);
  expect(report.failed).toBe(100);
  expect(await environment.store.profiles.countDocuments({})).toBe(1_000);
});
