import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { insertProfiles } from '../../store/profiles.js';
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
import { expectAnswer, expectError, waitFor } from './api-requests.js';

let environment: JobTestEnvironment;

beforeAll(async () => {
  // Small chunks, one at a time, so a job of a few thousand records runs long enough to be paused.
  environment = await startJobEnvironment({ chunkRecords: 100, chunkWindow: 1 });
});

afterAll(async () => {
  await environment?.close();
});

interface Progress {
  job_id: string;
  status: string;
  source: string;
  phase: string;
  paused: boolean;
  total: number;
  processed: number;
  succeeded: number;
  failed: number;
  percent: number;
  chunks: { total: number; done: number } | null;
}

/** A definition over `count` emails that match no profile. */
async function createBusyDefinition(count = 3000): Promise<string> {
  const emails = Array.from({ length: count }, (_, i) => `busy${i}@example.com`);
  const path = await writeImportFile(environment, 'busy.csv', `email\n${emails.join('\n')}\n`);
  return createDefinition(environment, { source: { protocol: 'local', path } });
}

async function waitForEnd(workflowId: string): Promise<void> {
  await environment.temporal.workflow
    .getHandle(workflowId)
    .result()
    .catch(() => undefined);
}

describe('dry run', () => {
  test('reports what would be deleted and deletes nothing', async () => {
    await insertProfiles(environment.store, [
      { _id: 'dry-1', email: 'dry1@example.com' },
      { _id: 'dry-2', email: 'dry2@example.com' },
    ]);
    const path = await writeImportFile(
      environment,
      'dry.csv',
      'email\ndry1@example.com\ndry2@example.com\nunknown@example.com\n',
    );
    const definitionId = await createDefinition(environment, { source: { protocol: 'local', path } });

    const report = await runToEnd(environment, definitionId, { dryRun: true });

    expect(report).toMatchObject({ status: 'SUCCESS', dry_run: true, succeeded: 2, failed: 1, total: 3 });
    expect(await environment.store.profiles.countDocuments({ _id: { $in: ['dry-1', 'dry-2'] } })).toBe(2);
    const lines = (await readAllLogs(environment, report.id, 'LOG')).map((entry) => entry.content);
    expect(lines).toEqual([
      'Delete profiles from file local file dry.csv (dry run: nothing will be deleted)',
      'Total profiles to delete: 3',
      'Would have deleted 2 profiles, 1 failed',
    ]);
  });
});

describe('job controls', () => {
  test('pause, progress and resume run the job to the end', async () => {
    const definitionId = await createBusyDefinition(1000);
    const started = await startRun(environment, definitionId);

    const paused = await expectAnswer<{ job_id: string; action: string; message: string }>(
      environment,
      'POST',
      `/jobs/${started.id}/pause`,
      undefined,
      202,
    );
    const whilePaused = await waitFor(async () => {
      const progress = await expectAnswer<Progress>(
        environment,
        'GET',
        `/jobs/${started.id}/progress`,
        undefined,
        200,
      );
      return progress.paused && progress.phase === 'processing' ? progress : undefined;
    }, 'the job to pause');
    const report = await readReport(environment, started.id);
    await expectAnswer(environment, 'POST', `/jobs/${started.id}/resume`, undefined, 202);
    await waitForEnd(started.workflow_id);
    const ended = await expectAnswer<Progress>(
      environment,
      'GET',
      `/jobs/${started.id}/progress`,
      undefined,
      200,
    );

    expect(paused).toEqual({
      job_id: started.id,
      action: 'pause',
      message:
        'Pause requested: chunks already running finish, and no new chunk starts until the job is resumed',
    });
    expect(whilePaused).toMatchObject({
      source: 'workflow',
      status: 'WAITING',
      total: 1000,
      chunks: { total: 10 },
    });
    expect(whilePaused.processed).toBeLessThan(1000);
    expect(report.status).toBe('WAITING');
    expect(ended).toEqual({
      job_id: started.id,
      status: 'SUCCESS',
      source: 'report',
      phase: 'ended',
      paused: false,
      total: 1000,
      processed: 1000,
      succeeded: 0,
      failed: 1000,
      percent: 100,
      chunks: null,
    });
  });

  test('cancel ends the job CANCELLED', async () => {
    const definitionId = await createBusyDefinition();
    const started = await startRun(environment, definitionId);
    await expectAnswer(environment, 'POST', `/jobs/${started.id}/pause`, undefined, 202);
    await waitFor(async () => {
      const progress = await expectAnswer<Progress>(
        environment,
        'GET',
        `/jobs/${started.id}/progress`,
        undefined,
        200,
      );
      return progress.paused && progress.phase === 'processing' ? progress : undefined;
    }, 'the job to pause after its plan');

    const cancelled = await expectAnswer<{ action: string }>(
      environment,
      'POST',
      `/jobs/${started.id}/cancel`,
      undefined,
      202,
    );
    await waitForEnd(started.workflow_id);
    const report = await readReport(environment, started.id);

    expect(cancelled.action).toBe('cancel');
    expect(report.status).toBe('CANCELLED');
    expect(report.estimated).toBe(true);
  });

  test('controls of an ended job get 409', async () => {
    const path = await writeImportFile(environment, 'short.csv', 'email\nshort@example.com\n');
    const definitionId = await createDefinition(environment, { source: { protocol: 'local', path } });
    const report = await runToEnd(environment, definitionId);

    const pause = await expectError(environment, 'POST', `/jobs/${report.id}/pause`, undefined, 409);
    const resume = await expectError(environment, 'POST', `/jobs/${report.id}/resume`, undefined, 409);
    const cancel = await expectError(environment, 'POST', `/jobs/${report.id}/cancel`, undefined, 409);

    expect(pause).toEqual({
      code: 'job_ended',
      message: `Job ${report.id} has ended with status SUCCESS; only a running job can be paused`,
    });
    expect(resume.message).toBe(
      `Job ${report.id} has ended with status SUCCESS; only a running job can be resumed`,
    );
    expect(cancel.message).toBe(
      `Job ${report.id} has ended with status SUCCESS; only a running job can be cancelled`,
    );
  });

  test('controls of an unknown job get 404', async () => {
    const error = await expectError(environment, 'POST', '/jobs/missing/pause', undefined, 404);

    expect(error).toEqual({
      code: 'job_not_found',
      message: 'Job missing not found; check the id returned when the job started',
    });
  });
});

describe('definition while its job runs', () => {
  test('delete, run and source edits get 409 naming the job', async () => {
    const definitionId = await createBusyDefinition();
    const started = await startRun(environment, definitionId);
    await expectAnswer(environment, 'POST', `/jobs/${started.id}/pause`, undefined, 202);

    const deletion = await expectError(environment, 'DELETE', `/definitions/${definitionId}`, undefined, 409);
    const secondRun = await expectError(environment, 'POST', `/definitions/${definitionId}/run`, {}, 409);
    const sourceEdit = await expectError(
      environment,
      'PATCH',
      `/definitions/${definitionId}`,
      { file_format: { delimiter: ',' } },
      409,
    );
    const nameEdit = await expectAnswer<{ name: string }>(
      environment,
      'PATCH',
      `/definitions/${definitionId}`,
      { name: 'renamed while running' },
      200,
    );

    expect(deletion).toEqual({
      code: 'job_running',
      message: `Definition ${definitionId} has a running job (${started.id}); wait for it to end or cancel it before deleting the definition`,
    });
    expect(secondRun).toEqual({
      code: 'job_running',
      message: `Definition ${definitionId} already has a running job (${started.id}); wait for it to end or cancel it first`,
    });
    expect(sourceEdit).toEqual({
      code: 'job_running',
      message: `Definition ${definitionId} has a running job (${started.id}), so file_format cannot change until it ends; wait for it or cancel it first`,
    });
    expect(nameEdit.name).toBe('renamed while running');

    await expectAnswer(environment, 'POST', `/jobs/${started.id}/cancel`, undefined, 202);
    await waitForEnd(started.workflow_id);
    await expectAnswer(environment, 'DELETE', `/definitions/${definitionId}`, undefined, 204);
  });

  test('a job whose workflow was terminated frees the definition', async () => {
    const definitionId = await createBusyDefinition();
    const started = await startRun(environment, definitionId);
    await expectAnswer(environment, 'POST', `/jobs/${started.id}/pause`, undefined, 202);
    await environment.temporal.workflow.getHandle(started.workflow_id).terminate('terminated by the test');

    const second = await startRun(environment, definitionId);
    const first = await readReport(environment, started.id);

    expect(second.id).not.toBe(started.id);
    expect(first).toMatchObject({ status: 'FAILURE', estimated: true });
    const errors = await readAllLogs(environment, started.id, 'ERROR');
    expect(errors.map((entry) => entry.content)).toEqual([
      "The job's workflow ended as TERMINATED before the job finished; counts are estimates",
    ]);
    await environment.temporal.workflow.getHandle(second.workflow_id).cancel();
    await waitForEnd(second.workflow_id);
  });
});
