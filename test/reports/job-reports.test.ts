import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp } from '../../api/create-app.js';
import type { JobReport } from '../../api/job-report.js';
import { insertJob } from '../../store/jobs.js';
import type { JobDocument } from '../../store/jobs.js';
import { createDefinition } from '../support/job-steps.js';
import { startJobEnvironment, testApiKey } from '../support/test-services.js';
import type { JobTestEnvironment } from '../support/test-services.js';
import { jobDocument } from './report-support.js';

const now = new Date('2026-03-01T12:00:00.000Z');
let environment: JobTestEnvironment;
let app: ReturnType<typeof createApp>;
let definitionA: string;
let definitionB: string;

async function get(path: string): Promise<{ status: number; body: unknown }> {
  const response = await app.request(path, { headers: { authorization: `Bearer ${testApiKey}` } });
  return { status: response.status, body: await response.json() };
}

async function listIds(query: string): Promise<{ ids: string[]; next: string | null }> {
  const { status, body } = await get(`/jobs?${query}`);
  expect(status, JSON.stringify(body)).toBe(200);
  const page = body as { jobs: JobReport[]; next_cursor: string | null };
  return { ids: page.jobs.map((job) => job.id), next: page.next_cursor };
}

function minutesBefore(minutes: number): Date {
  return new Date(now.getTime() - minutes * 60_000);
}

/** Seven ended jobs over two definitions; two share a creation time, to test the order by id. */
function endedJobs(): JobDocument[] {
  const ended = (id: string, definitionId: string, minutes: number, fields: Partial<JobDocument>) =>
    jobDocument({
      _id: id,
      definition_id: definitionId,
      status: 'SUCCESS',
      created_at: minutesBefore(minutes),
      started_at: minutesBefore(minutes - 1),
      ended_at: minutesBefore(minutes - 2),
      total: 10,
      processed: 10,
      succeeded: 10,
      ...fields,
    });
  return [
    ended('job-1', definitionA, 70, {}),
    ended('job-2', definitionA, 60, { status: 'FAILURE', succeeded: 0, failed: 0, total: 0, processed: 0 }),
    ended('job-3', definitionB, 50, { trigger: 'schedule' }),
    ended('job-4', definitionA, 40, { status: 'CANCELLED', processed: 4, succeeded: 4, estimated: true }),
    ended('job-5a', definitionB, 30, { job_type: 'IMPORT' }),
    ended('job-5b', definitionB, 30, {}),
    ended('job-6', definitionA, 20, {}),
  ];
}

beforeAll(async () => {
  environment = await startJobEnvironment({}, { inProcessWorker: false });
  app = createApp({
    store: environment.store,
    temporal: environment.temporal,
    settings: environment.settings,
    clock: () => now,
  });
  definitionA = await createDefinition(environment, { source: { protocol: 'local', path: 'a.csv' } });
  definitionB = await createDefinition(environment, { source: { protocol: 'local', path: 'b.csv' } });
  for (const job of endedJobs()) {
    await insertJob(environment.store, job);
  }
});

afterAll(async () => {
  await environment?.close();
});

describe('GET /jobs', () => {
  test('lists newest first, by id when times are equal', async () => {
    expect(await listIds('')).toEqual({
      ids: ['job-6', 'job-5b', 'job-5a', 'job-4', 'job-3', 'job-2', 'job-1'],
      next: null,
    });
  });

  test('pages with an opaque cursor', async () => {
    const first = await listIds('limit=3');
    expect(first.ids).toEqual(['job-6', 'job-5b', 'job-5a']);
    expect(first.next).toMatch(/^[A-Za-z0-9_-]+$/);

    const second = await listIds(`limit=3&cursor=${first.next}`);
    expect(second.ids).toEqual(['job-4', 'job-3', 'job-2']);

    const third = await listIds(`limit=3&cursor=${second.next}`);
    expect(third).toEqual({ ids: ['job-1'], next: null });
  });

  test('filters by definition and pages inside it', async () => {
    const first = await listIds(`definition_id=${definitionA}&limit=2`);
    expect(first.ids).toEqual(['job-6', 'job-4']);
    expect(await listIds(`definition_id=${definitionA}&limit=2&cursor=${first.next}`)).toEqual({
      ids: ['job-2', 'job-1'],
      next: null,
    });
  });

  test.each([
    ['status=FAILURE', ['job-2']],
    ['status=CANCELLED', ['job-4']],
    ['job_type=IMPORT', ['job-5a']],
    ['status=SUCCESS&job_type=DELETION', ['job-6', 'job-5b', 'job-3', 'job-1']],
    [
      `created_from=${minutesBefore(50).toISOString()}&created_before=${minutesBefore(20).toISOString()}`,
      ['job-5b', 'job-5a', 'job-4', 'job-3'],
    ],
  ])('filters by %s', async (query, ids) => {
    expect(await listIds(query)).toEqual({ ids, next: null });
  });

  test('filters by definition and status together', async () => {
    expect(await listIds(`definition_id=${definitionB}&status=SUCCESS`)).toEqual({
      ids: ['job-5b', 'job-5a', 'job-3'],
      next: null,
    });
  });

  test('rejects a cursor it did not make', async () => {
    const { status, body } = await get('/jobs?cursor=bm90LWEtY3Vyc29y');
    expect(status).toBe(400);
    expect((body as { error: { code: string } }).error.code).toBe('invalid_cursor');
  });

  test('rejects an unknown status', async () => {
    const { status } = await get('/jobs?status=DONE');
    expect(status).toBe(400);
  });

  test('shows counts, trigger and timestamps of an ended job', async () => {
    const { body } = await get(`/jobs?definition_id=${definitionA}&status=CANCELLED`);
    const [report] = (body as { jobs: JobReport[] }).jobs;
    expect(report).toEqual({
      id: 'job-4',
      definition: { id: definitionA, name: 'test deletion' },
      job_type: 'DELETION',
      trigger: 'manual',
      status: 'CANCELLED',
      paused: false,
      dry_run: false,
      progress: { processed: 4, total: 10, percent: 40 },
      succeeded: 4,
      failed: 0,
      total: 10,
      estimated: true,
      created_at: minutesBefore(40).toISOString(),
      started_at: minutesBefore(39).toISOString(),
      ended_at: minutesBefore(38).toISOString(),
      workflow_id: 'job-job-4',
    });
  });
});

describe('time left of a running job', () => {
  let definitionId: string;
  const jobId = randomUUID();

  beforeAll(async () => {
    definitionId = await createDefinition(environment, { source: { protocol: 'local', path: 'c.csv' } });
    // Started 100 s ago; 250 of 1,000 records processed so far, so 300 s are left at that rate.
    await insertJob(
      environment.store,
      jobDocument({
        _id: jobId,
        definition_id: definitionId,
        created_at: new Date(now.getTime() - 120_000),
        started_at: new Date(now.getTime() - 100_000),
        total: 1_000,
        plan: {
          file_size: 50_000,
          version_tag: 'v1',
          text_encoding: 'utf-8',
          header: ['email'],
          chunk_count: 4,
          failed: 10,
        },
      }),
    );
    await environment.store.jobBatches.insertOne({
      _id: `${jobId}:0:0`,
      job_id: jobId,
      chunk: 0,
      batch: 0,
      state: 'done',
      records: 240,
      succeeded: 235,
      failed: 5,
      deletions: [],
    });
  });

  test('is present while the job runs', async () => {
    const { body } = await get(`/jobs?definition_id=${definitionId}`);
    const [report] = (body as { jobs: JobReport[] }).jobs;
    expect(report?.status).toBe('WAITING');
    expect(report?.progress).toEqual({
      processed: 250,
      total: 1_000,
      percent: 25,
      estimated_seconds_left: 300,
    });
    expect(report?.succeeded).toBe(235);
    expect(report?.failed).toBe(15);
  });

  test('is absent while the job is paused', async () => {
    await environment.store.jobs.updateOne({ _id: jobId }, { $set: { paused: true } });
    const { body } = await get(`/jobs?definition_id=${definitionId}`);
    const [report] = (body as { jobs: JobReport[] }).jobs;
    expect(report?.paused).toBe(true);
    expect(report?.progress).toEqual({ processed: 250, total: 1_000, percent: 25 });
    await environment.store.jobs.updateOne({ _id: jobId }, { $set: { paused: false } });
  });

  test('is absent once the job has ended', async () => {
    const ended = await get(`/jobs?definition_id=${definitionA}&limit=1`);
    const [report] = (ended.body as { jobs: JobReport[] }).jobs;
    expect(report?.status).toBe('SUCCESS');
    expect(report?.progress).toEqual({ processed: 10, total: 10, percent: 100 });
  });
});

describe('GET /definitions/{id}/last-job', () => {
  test('returns the newest job of the definition', async () => {
    const { status, body } = await get(`/definitions/${definitionB}/last-job`);
    expect(status).toBe(200);
    expect((body as { definition_id: string; last_job: JobReport }).definition_id).toBe(definitionB);
    expect((body as { last_job: JobReport }).last_job.id).toBe('job-5b');
  });

  test('returns null for a definition that never ran', async () => {
    const definitionId = await createDefinition(environment, {
      source: { protocol: 'local', path: 'd.csv' },
    });
    expect(await get(`/definitions/${definitionId}/last-job`)).toEqual({
      status: 200,
      body: { definition_id: definitionId, last_job: null },
    });
  });

  test('answers 404 for an unknown definition', async () => {
    const { status, body } = await get('/definitions/no-such-definition/last-job');
    expect(status).toBe(404);
    expect((body as { error: { code: string } }).error.code).toBe('definition_not_found');
  });
});

describe('report routes access', () => {
  test('reject a request without an API key', async () => {
    const response = await app.request('/jobs');
    expect(response.status).toBe(401);
  });
});
