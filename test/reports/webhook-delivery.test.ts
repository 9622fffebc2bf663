import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createWebhookTargetLoader } from '../../activities/webhook-target.js';
import type { WebhookTarget } from '../../activities/webhook-target.js';
import { findJob } from '../../store/jobs.js';
import { insertProfiles } from '../../store/profiles.js';
import { secretKeyringFromSettings } from '../../store/secret-sealing.js';
import { createDefinition, readAllLogs, writeImportFile } from '../support/job-steps.js';
import { startJobEnvironment } from '../support/test-services.js';
import type { JobTestEnvironment } from '../support/test-services.js';
import { jobDocument, runJobWorkflow, startReceiver, startWorkerWith } from './report-support.js';
import type { TestReceiver } from './report-support.js';

const secret = 'webhook-secret-0123456789abcdef';
const fastRetries = { maximumAttempts: 3, firstRetryDelayMs: 100 };

let environment: JobTestEnvironment;
let stopWorker: () => Promise<void>;
const targets = new Map<string, WebhookTarget>();
let receiver: TestReceiver | undefined;

beforeAll(async () => {
  environment = await startJobEnvironment({}, { inProcessWorker: false });
  // Definitions saved with a webhook use the worker's own loader; the others get a target of the test.
  const fromStore = createWebhookTargetLoader(
    environment.store,
    secretKeyringFromSettings(environment.settings),
  );
  stopWorker = await startWorkerWith(environment, {
    loadWebhookTarget: (definitionId) => {
      const target = targets.get(definitionId);
      return target === undefined ? fromStore(definitionId) : Promise.resolve(target);
    },
  });
});

afterAll(async () => {
  await stopWorker?.();
  await environment?.close();
});

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

/** Creates a definition over a 3-record file (2 profiles deleted, 1 unknown), with the receiver as its webhook. */
async function definitionWithWebhook(url: string, authorization?: string): Promise<string> {
  await environment.store.profiles.deleteMany({});
  await insertProfiles(environment.store, [
    { _id: 'a', email: 'a@example.com' },
    { _id: 'b', email: 'b@example.com' },
  ]);
  const path = await writeImportFile(
    environment,
    `hook-${randomUUID()}.csv`,
    'email\na@example.com\nb@example.com\nnobody@example.com\n',
  );
  const definitionId = await createDefinition(environment, { source: { protocol: 'local', path } });
  targets.set(definitionId, { url, secret, ...(authorization === undefined ? {} : { authorization }) });
  return definitionId;
}

async function runJob(definitionId: string): Promise<string> {
  const jobId = randomUUID();
  await runJobWorkflow(environment, jobDocument({ _id: jobId, definition_id: definitionId }), {
    webhookDelivery: fastRetries,
  });
  return jobId;
}

async function webhookLogs(jobId: string): Promise<{ level: string; content: string }[]> {
  const logs = await readAllLogs(environment, jobId);
  return logs
    .filter((entry) => entry.content.startsWith('Webhook'))
    .map(({ level, content }) => ({ level, content }));
}

function verifySignature(header: string | string[] | undefined, body: string): number {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(header));
  expect(match, String(header)).not.toBeNull();
  const timestamp = match?.[1] ?? '';
  const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest();
  expect(timingSafeEqual(Buffer.from(match?.[2] ?? '', 'hex'), expected)).toBe(true);
  return Number(timestamp);
}

describe('end-of-job webhook', () => {
  test('signs the body and sends the outcome', async () => {
    receiver = await startReceiver([200]);
    const definitionId = await definitionWithWebhook(receiver.url, 'Bearer receiver-token');

    const jobId = await runJob(definitionId);

    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0];
    const job = await findJob(environment.store, jobId);
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/hooks/profile-jobs?token=abc');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers.authorization).toBe('Bearer receiver-token');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      job_id: jobId,
      definition_id: definitionId,
      definition_name: 'test deletion',
      job_type: 'DELETION',
      status: 'SUCCESS',
      succeeded: 2,
      failed: 1,
      total: 3,
      estimated: false,
      started_at: job?.started_at?.toISOString(),
      ended_at: job?.ended_at?.toISOString(),
    });
    const signedAt = verifySignature(request?.headers['x-profile-jobs-signature'], request?.body ?? '');
    expect(Math.abs(signedAt - Date.now() / 1000)).toBeLessThan(60);
    expect(await webhookLogs(jobId)).toEqual([
      {
        level: 'LOG',
        content: `Webhook attempt 1 of 3 to ${new URL(receiver.url).origin} delivered: HTTP 200`,
      },
    ]);
  });

  test('retries a failing receiver and logs each attempt', async () => {
    receiver = await startReceiver([503, 503, 200]);
    const definitionId = await definitionWithWebhook(receiver.url);

    const jobId = await runJob(definitionId);

    const origin = new URL(receiver.url).origin;
    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((request) => request.body)).size).toBe(1);
    for (const request of receiver.requests) {
      verifySignature(request.headers['x-profile-jobs-signature'], request.body);
      expect(request.headers.authorization).toBeUndefined();
    }
    expect(await webhookLogs(jobId)).toEqual([
      {
        level: 'WARNING',
        content: `Webhook attempt 1 of 3 to ${origin} failed: HTTP 503; it will be retried`,
      },
      {
        level: 'WARNING',
        content: `Webhook attempt 2 of 3 to ${origin} failed: HTTP 503; it will be retried`,
      },
      { level: 'LOG', content: `Webhook attempt 3 of 3 to ${origin} delivered: HTTP 200` },
    ]);
  });

  test('gives up after the last attempt and keeps the status', async () => {
    receiver = await startReceiver([500]);
    const definitionId = await definitionWithWebhook(receiver.url);

    const jobId = await runJob(definitionId);

    const origin = new URL(receiver.url).origin;
    expect(receiver.requests).toHaveLength(3);
    const job = await findJob(environment.store, jobId);
    expect(job?.status).toBe('SUCCESS');
    expect(job?.succeeded).toBe(2);
    expect(await webhookLogs(jobId)).toEqual([
      {
        level: 'WARNING',
        content: `Webhook attempt 1 of 3 to ${origin} failed: HTTP 500; it will be retried`,
      },
      {
        level: 'WARNING',
        content: `Webhook attempt 2 of 3 to ${origin} failed: HTTP 500; it will be retried`,
      },
      {
        level: 'WARNING',
        content: `Webhook attempt 3 of 3 to ${origin} failed: HTTP 500; no attempt is left, so the webhook was not delivered`,
      },
    ]);
  });

  test('does not retry a 4xx response', async () => {
    receiver = await startReceiver([404]);
    const definitionId = await definitionWithWebhook(receiver.url);

    const jobId = await runJob(definitionId);

    expect(receiver.requests).toHaveLength(1);
    expect(await webhookLogs(jobId)).toEqual([
      {
        level: 'WARNING',
        content: `Webhook attempt 1 of 3 to ${new URL(receiver.url).origin} failed: HTTP 404; not retried, because retrying cannot change this response`,
      },
    ]);
  });

  test('reports a failed job', async () => {
    receiver = await startReceiver([200]);
    const definitionId = await createDefinition(environment, {
      source: { protocol: 'local', path: 'missing.csv' },
    });
    targets.set(definitionId, { url: receiver.url, secret });

    const jobId = await runJob(definitionId);

    expect(receiver.requests).toHaveLength(1);
    expect(JSON.parse(receiver.requests[0]?.body ?? '')).toMatchObject({
      job_id: jobId,
      status: 'FAILURE',
      succeeded: 0,
      failed: 0,
      total: 0,
    });
    expect((await findJob(environment.store, jobId))?.status).toBe('FAILURE');
  });

  test('uses the webhook saved in the definition', async () => {
    receiver = await startReceiver([200]);
    const path = await writeImportFile(
      environment,
      `saved-${randomUUID()}.csv`,
      'email\nnobody@example.com\n',
    );
    const definitionId = await createDefinition(environment, {
      source: { protocol: 'local', path },
      webhook: { url: receiver.url, secret, authorization: 'Token saved-in-definition' },
    });

    const jobId = await runJob(definitionId);

    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0];
    expect(request?.headers.authorization).toBe('Token saved-in-definition');
    verifySignature(request?.headers['x-profile-jobs-signature'], request?.body ?? '');
    expect(JSON.parse(request?.body ?? '')).toMatchObject({
      job_id: jobId,
      status: 'SUCCESS',
      failed: 1,
      total: 1,
    });
  });

  test('refuses a metadata address without sending', async () => {
    const definitionId = await definitionWithWebhook('http://169.254.169.254/latest/meta-data/');

    const jobId = await runJob(definitionId);

    expect(await webhookLogs(jobId)).toEqual([
      {
        level: 'WARNING',
        content:
          'Webhook attempt 1 of 3 to http://169.254.169.254 not sent: webhook address 169.254.169.254 is the cloud metadata service, which is not allowed',
      },
    ]);
    expect((await findJob(environment.store, jobId))?.status).toBe('SUCCESS');
  });
});
