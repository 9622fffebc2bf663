import { truncate } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { insertProfiles } from '../../store/profiles.js';
import { pauseSignal, progressQuery, resumeSignal } from '../../workflows/job-controls.js';
import { bulkDeletionCsv, bulkProfiles, waitUntil } from '../support/bulk-fixture.js';
import {
  createDefinition,
  readAllLogs,
  readReport,
  runToEnd,
  startRun,
  writeImportFile,
} from '../support/job-steps.js';
import { startJobEnvironment } from '../support/test-services.js';
import type { JobTestEnvironment } from '../support/test-services.js';

let environment: JobTestEnvironment;

beforeAll(async () => {
  environment = await startJobEnvironment({
    chunkRecords: 250,
    batchRecords: 50,
    chunkWindow: 2,
    storeConcurrency: 8,
  });
});

afterAll(async () => {
  await environment?.close();
});

beforeEach(async () => {
  await environment.store.profiles.deleteMany({});
  await insertProfiles(environment.store, bulkProfiles(6_000));
});

async function bulkDefinition(named: number, unknown: number, name = 'bulk.csv'): Promise<string> {
  const file = await writeImportFile(environment, name, bulkDeletionCsv(named, unknown));
  return createDefinition(environment, { source: { protocol: 'local', path: file } });
}

describe('cancel', () => {
  test('stops the job with counts equal to what was deleted', { timeout: 120_000 }, async () => {
    const definitionId = await bulkDefinition(5_000, 0);
    const started = await startRun(environment, definitionId);
    const handle = environment.temporal.workflow.getHandle(started.workflow_id);
    await waitUntil(
      () => readReport(environment, started.id),
      (report) => report.progress.processed >= 1_000,
      { timeoutMs: 60_000, what: '1,000 processed records' },
    );

    await handle.cancel();
    await handle.result().catch(() => undefined);
    const report = await readReport(environment, started.id);
    const deletedAtEnd = 6_000 - (await environment.store.profiles.countDocuments({}));
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const deletedLater = 6_000 - (await environment.store.profiles.countDocuments({}));

    expect(report.status).toBe('CANCELLED');
    expect(report.estimated).toBe(true);
    expect(report.succeeded).toBe(deletedAtEnd);
    expect(report.succeeded).toBeGreaterThanOrEqual(1_000);
    expect(report.succeeded).toBeLessThan(5_000);
    expect(report.failed).toBe(0);
    expect(deletedLater).toBe(deletedAtEnd);
    const description = await handle.describe();
    expect(description.status.name).toBe('CANCELLED');
    const logs = await readAllLogs(environment, started.id, 'LOG');
    expect(logs.at(-1)?.content).toBe(
      `Job cancelled after ${report.progress.processed} of 5000 records. Deleted ${report.succeeded} profiles, 0 failed (estimated).`,
    );
  });
});

describe('pause and resume', () => {
  test('pause holds progress until resume', { timeout: 120_000 }, async () => {
    const definitionId = await bulkDefinition(5_000, 100);
    const started = await startRun(environment, definitionId);
    const handle = environment.temporal.workflow.getHandle(started.workflow_id);
    await waitUntil(
      () => readReport(environment, started.id),
      (report) => report.progress.processed >= 500,
      { timeoutMs: 60_000, what: '500 processed records' },
    );

    await handle.signal(pauseSignal);
    const paused = await waitUntil(
      () => readReport(environment, started.id),
      (report) => report.paused,
      { timeoutMs: 30_000, what: 'the report to show paused' },
    );
    // Chunks that were running when the pause came finish; after that nothing moves.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const held = await readReport(environment, started.id);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const stillHeld = await readReport(environment, started.id);
    const progress = await handle.query(progressQuery);

    expect(paused.status).toBe('WAITING');
    expect(stillHeld.progress.processed).toBe(held.progress.processed);
    expect(stillHeld.progress.processed).toBeLessThan(5_100);
    expect(progress.paused).toBe(true);
    expect(progress.phase).toBe('processing');

    await handle.signal(resumeSignal);
    await handle.result();
    const report = await readReport(environment, started.id);
    expect(report.status).toBe('SUCCESS');
    expect(report.paused).toBe(false);
    expect(report.succeeded).toBe(5_000);
    expect(report.failed).toBe(100);
    const logs = (await readAllLogs(environment, started.id, 'LOG')).map((entry) => entry.content);
    expect(logs).toContain('Job paused: no new chunk starts until it is resumed');
    expect(logs).toContain('Job resumed');
  });
});

describe('one run per definition', () => {
  test('second run of a running definition gets 409', async () => {
    const definitionId = await bulkDefinition(3_000, 0);
    const started = await startRun(environment, definitionId);

    const second = await environment.request('POST', `/definitions/${definitionId}/run`, {});

    expect(second.status).toBe(409);
    const body = (await second.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('job_running');
    expect(body.error.message).toContain(started.id);
    await environment.temporal.workflow.getHandle(started.workflow_id).result();
    const third = await environment.request('POST', `/definitions/${definitionId}/run`, {});
    expect(third.status).toBe(201);
    const thirdJob = (await third.json()) as { workflow_id: string };
    await environment.temporal.workflow.getHandle(thirdJob.workflow_id).result();
  });
});

describe('record limit', () => {
  test('file over the limit fails before any delete', async () => {
    const limited = await startJobEnvironment({ maxRecords: 100 });
    try {
      await insertProfiles(limited.store, bulkProfiles(200));
      const file = await writeImportFile(limited, 'big.csv', bulkDeletionCsv(150, 0));
      const definitionId = await createDefinition(limited, { source: { protocol: 'local', path: file } });

      const report = await runToEnd(limited, definitionId);

      expect(report.status).toBe('FAILURE');
      expect(await limited.store.profiles.countDocuments({})).toBe(200);
      const errors = await readAllLogs(limited, report.id, 'ERROR');
      expect(errors.map((entry) => entry.content)).toEqual([
        'The file holds more than 100 records, the most one job may process. Split it into files of at most 100 records and run them one after the other.',
      ]);
    } finally {
      await limited.close();
    }
  });
});

describe('file changed under a job', () => {
  test('truncated file fails the job before its chunks apply', { timeout: 120_000 }, async () => {
    const definitionId = await bulkDefinition(2_000, 0, 'changing.csv');
    const started = await startRun(environment, definitionId);
    const handle = environment.temporal.workflow.getHandle(started.workflow_id);
    // Paused before its first chunk, the job has planned the file but applied nothing.
    await handle.signal(pauseSignal);
    await waitUntil(
      () => readReport(environment, started.id),
      (report) => report.paused,
      { timeoutMs: 30_000, what: 'the report to show paused' },
    );

    await truncate(path.join(environment.importRoot, 'changing.csv'), 1_000);
    await handle.signal(resumeSignal);
    await handle.result();
    const report = await readReport(environment, started.id);

    expect(report.status).toBe('FAILURE');
    expect(report.succeeded).toBe(0);
    expect(await environment.store.profiles.countDocuments({})).toBe(6_000);
    const errors = await readAllLogs(environment, started.id, 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.content).toMatch(
      /^The file changed or was truncated while the job ran \(local file changing\.csv: /,
    );
  });
});

describe('bounded history', () => {
  test('continues as new and keeps exact counts', { timeout: 120_000 }, async () => {
    const chained = await startJobEnvironment({ chunkRecords: 250, batchRecords: 50, chunksPerRun: 3 });
    try {
      await insertProfiles(chained.store, bulkProfiles(2_000));
      const file = await writeImportFile(chained, 'chained.csv', bulkDeletionCsv(2_000, 50));
      const definitionId = await createDefinition(chained, { source: { protocol: 'local', path: file } });
      const started = await startRun(chained, definitionId);

      await chained.temporal.workflow.getHandle(started.workflow_id).result();
      const report = await readReport(chained, started.id);
      const runs = [];
      for await (const execution of chained.temporal.workflow.list({
        query: `WorkflowId = "${started.workflow_id}"`,
      })) {
        runs.push(execution);
      }

      expect(report.status, JSON.stringify(await readAllLogs(chained, started.id, 'ERROR'))).toBe('SUCCESS');
      expect(report.succeeded).toBe(2_000);
      expect(report.failed).toBe(50);
      expect(await chained.store.profiles.countDocuments({})).toBe(0);
      // 2,050 records in chunks of 250 make 9 chunks, so three runs of three chunks each.
      expect(runs.map((run) => run.status.name).sort()).toEqual([
        'COMPLETED',
        'CONTINUED_AS_NEW',
        'CONTINUED_AS_NEW',
      ]);
      for (const run of runs) {
        expect(run.historyLength).toBeLessThan(100);
      }
    } finally {
      await chained.close();
    }
  });
});
