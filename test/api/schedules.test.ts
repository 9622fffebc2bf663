import { ScheduleNotFoundError } from '@temporalio/client';
import type { ScheduleDescription } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { JobReport } from '../../api/job-report.js';
import { definitionScheduleId } from '../../jobs/definition-schedule.js';
import type { ScheduledRunWorkflowResult } from '../../workflows/scheduled-run-workflow.js';
import { insertProfiles } from '../../store/profiles.js';
import { readAllLogs, readReport, startRun, writeImportFile } from '../support/job-steps.js';
import { startJobEnvironment } from '../support/test-services.js';
import type { JobTestEnvironment } from '../support/test-services.js';
import { deleteDefinitionSchedules, expectAnswer, waitFor } from './api-requests.js';

let environment: JobTestEnvironment;

beforeAll(async () => {
  environment = await startJobEnvironment({ chunkRecords: 100, chunkWindow: 1 });
});

afterAll(async () => {
  if (environment !== undefined) {
    await deleteDefinitionSchedules(environment);
  }
  await environment?.close();
});

async function createScheduled(path: string, schedule: Record<string, unknown>): Promise<string> {
  const created = await expectAnswer<{ id: string }>(
    environment,
    'POST',
    '/definitions',
    { name: 'nightly deletion', for_deletion: true, source: { protocol: 'local', path }, schedule },
    201,
  );
  return created.id;
}

function describeSchedule(definitionId: string): Promise<ScheduleDescription> {
  return environment.temporal.schedule.getHandle(definitionScheduleId(definitionId)).describe();
}

/** Triggers the schedule and returns the result of the scheduled-run workflow it starts. */
async function triggerAndWait(definitionId: string): Promise<ScheduledRunWorkflowResult> {
  const handle = environment.temporal.schedule.getHandle(definitionScheduleId(definitionId));
  const actionsBefore = (await handle.describe()).info.recentActions.length;
  await handle.trigger();

  const workflowId = await waitFor(async () => {
    const actions = (await handle.describe()).info.recentActions;
    return actions.length > actionsBefore ? actions.at(-1)?.action.workflow.workflowId : undefined;
  }, 'the schedule to start its workflow');
  return environment.temporal.workflow
    .getHandle<() => Promise<ScheduledRunWorkflowResult>>(workflowId)
    .result();
}

async function jobsOf(definitionId: string): Promise<string[]> {
  const jobs = await environment.store.jobs.find({ definition_id: definitionId }).toArray();
  return jobs.map((job) => job._id);
}

describe('definition schedule', () => {
  test('is created with the cron expression and time zone', async () => {
    const path = await writeImportFile(environment, 'empty.csv', 'email\n');
    const definitionId = await createScheduled(path, { cron: '15 4 * * *', timezone: 'Europe/Paris' });

    const description = await describeSchedule(definitionId);

    expect(description.spec.timezone).toBe('Europe/Paris');
    expect(description.spec.calendars).toEqual([
      expect.objectContaining({
        hour: [{ start: 4, end: 4, step: 1 }],
        minute: [{ start: 15, end: 15, step: 1 }],
      }),
    ]);
    expect(description.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'scheduledRunWorkflow',
      taskQueue: environment.taskQueue,
      args: [{ definitionId, chunkWindow: 1, chunksPerRun: 500 }],
    });
    expect(description.policies.overlap).toBe('SKIP');
    expect(description.state.paused).toBe(false);
  });

  test('a triggered run reports trigger schedule', async () => {
    const path = await writeImportFile(environment, 'one.csv', 'email\nscheduled@example.com\n');
    await insertProfiles(environment.store, [{ _id: 'scheduled-1', email: 'scheduled@example.com' }]);
    const definitionId = await createScheduled(path, { cron: '0 3 * * *' });

    const result = await triggerAndWait(definitionId);

    expect(result.outcome).toBe('started');
    const jobId = result.outcome === 'started' ? result.jobId : '';
    await environment.temporal.workflow.getHandle(`job-${jobId}`).result();
    const report = await readReport(environment, jobId);
    expect(report).toMatchObject({
      trigger: 'schedule',
      status: 'SUCCESS',
      succeeded: 1,
      failed: 0,
      total: 1,
      dry_run: false,
      definition: { id: definitionId, name: 'nightly deletion' },
    });
    expect(await environment.store.profiles.countDocuments({ _id: 'scheduled-1' })).toBe(0);
  });

  test('an edit of the cron expression updates the schedule', async () => {
    const path = await writeImportFile(environment, 'empty.csv', 'email\n');
    const definitionId = await createScheduled(path, { cron: '0 3 * * *' });

    await expectAnswer(
      environment,
      'PATCH',
      `/definitions/${definitionId}`,
      { schedule: { cron: '45 22 * * SUN', timezone: 'America/New_York' } },
      200,
    );
    const description = await describeSchedule(definitionId);

    expect(description.spec.timezone).toBe('America/New_York');
    expect(description.spec.calendars).toEqual([
      expect.objectContaining({
        hour: [{ start: 22, end: 22, step: 1 }],
        minute: [{ start: 45, end: 45, step: 1 }],
        dayOfWeek: [{ start: 'SUNDAY', end: 'SUNDAY', step: 1 }],
      }),
    ]);
  });

  test('disabling pauses it and enabling resumes it', async () => {
    const path = await writeImportFile(environment, 'empty.csv', 'email\n');
    const definitionId = await createScheduled(path, { cron: '0 3 * * *' });

    await expectAnswer(environment, 'POST', `/definitions/${definitionId}/disable`, undefined, 200);
    const paused = await describeSchedule(definitionId);
    await expectAnswer(environment, 'POST', `/definitions/${definitionId}/enable`, undefined, 200);
    const resumed = await describeSchedule(definitionId);

    expect(paused.state.paused).toBe(true);
    expect(paused.state.note).toBe('Paused because the definition is disabled');
    expect(resumed.state.paused).toBe(false);
  });

  test('a trigger of a disabled definition starts no job', async () => {
    const path = await writeImportFile(environment, 'empty.csv', 'email\n');
    const definitionId = await createScheduled(path, { cron: '0 3 * * *' });
    await expectAnswer(environment, 'POST', `/definitions/${definitionId}/disable`, undefined, 200);

    const result = await triggerAndWait(definitionId);

    expect(result).toEqual({
      outcome: 'skipped',
      reason: `Definition ${definitionId} is disabled; enable it to run it`,
    });
    expect(await jobsOf(definitionId)).toEqual([]);
  });

  test('a trigger while a job runs starts nothing new', async () => {
    const records = Array.from({ length: 3000 }, (_, i) => `busy${i}@example.com`);
    const path = await writeImportFile(environment, 'busy.csv', `email\n${records.join('\n')}\n`);
    const definitionId = await createScheduled(path, { cron: '0 3 * * *' });
    const running = await startRun(environment, definitionId);
    await expectAnswer(environment, 'POST', `/jobs/${running.id}/pause`, undefined, 202);

    const result = await triggerAndWait(definitionId);

    expect(result).toEqual({
      outcome: 'skipped',
      reason: `Definition ${definitionId} already has a running job (${running.id}); wait for it to end or cancel it first`,
      runningJobId: running.id,
    });
    expect(await jobsOf(definitionId)).toEqual([running.id]);
    const warnings = await readAllLogs(environment, running.id, 'WARNING');
    expect(warnings.map((entry) => entry.content)).toContain(
      'Scheduled run skipped: this job was still running',
    );

    await expectAnswer(environment, 'POST', `/jobs/${running.id}/cancel`, undefined, 202);
    await environment.temporal.workflow
      .getHandle(running.workflow_id)
      .result()
      .catch(() => undefined);
    const report: JobReport = await readReport(environment, running.id);
    expect(report.status).toBe('CANCELLED');
  });

  test('removing the schedule deletes it', async () => {
    const path = await writeImportFile(environment, 'empty.csv', 'email\n');
    const definitionId = await createScheduled(path, { cron: '0 3 * * *' });

    await expectAnswer(environment, 'PATCH', `/definitions/${definitionId}`, { schedule: null }, 200);

    await expect(describeSchedule(definitionId)).rejects.toThrow(ScheduleNotFoundError);
  });

  test('deleting the definition deletes it', async () => {
    const path = await writeImportFile(environment, 'empty.csv', 'email\n');
    const definitionId = await createScheduled(path, { cron: '0 3 * * *' });
    expect((await describeSchedule(definitionId)).state.paused).toBe(false);

    await expectAnswer(environment, 'DELETE', `/definitions/${definitionId}`, undefined, 204);

    await expect(describeSchedule(definitionId)).rejects.toThrow(ScheduleNotFoundError);
  });
});
