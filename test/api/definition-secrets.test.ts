import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { definitionScheduleId } from '../../jobs/definition-schedule.js';
import { deleteDefinitionSchedule } from '../../jobs/definition-schedule.js';
import { closeStore, connectStore } from '../../store/connect-store.js';
import type { Store } from '../../store/connect-store.js';
import { findDefinition } from '../../store/definitions.js';
import { createSecretKeyring } from '../../store/secret-sealing.js';
import { unsealDefinitionSecrets } from '../../store/secret-sealing-definitions.js';
import { stackAddresses, uniqueDatabaseUrl } from '../support/test-services.js';
import { waitFor } from './api-requests.js';
import { findFreePort, startServiceProcess } from '../support/service-process.js';
import type { ServiceProcess } from '../support/service-process.js';

const secrets = {
  webhookSecret: 'webhook-secret-5d1e8b7c2a',
  webhookAuthorization: 'Bearer webhook-token-93be0f',
  sftpPassword: 'sftp-password-7f3a9c41',
  sftpPrivateKey:
    '-----BEGIN OPENSSH PRIVATE KEY-----\nkey-body-b64-0c6d2e\n-----END OPENSSH PRIVATE KEY-----',
  sftpPassphrase: 'sftp-passphrase-61aa0d',
  s3SecretKey: 's3-secret-access-key-4e9f17',
  gcsPrivateKey: 'gcs-private-key-2b7c90',
  encryptionPassword: 'file-password-8d3f52',
};
const secretValues = Object.values(secrets);

const apiKey = `administrator-${randomBytes(16).toString('hex')}`;
const secretKey = randomBytes(32).toString('base64');

let store: Store;
let connection: Connection;
let temporal: Client;
let importRoot: string;
let api: ServiceProcess;
let worker: ServiceProcess;
let apiUrl: string;
let receiver: Server;
let webhookUrl: string;
/** Bodies the webhook receiver got, searched for secrets like every other output. */
const webhookBodies: string[] = [];
/** The text of every API response the tests received. */
const responses: string[] = [];

async function call(
  method: string,
  routePath: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${apiUrl}${routePath}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  responses.push(text);
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

async function create(fields: Record<string, unknown>): Promise<string> {
  const answer = await call('POST', '/definitions', { name: 'with secrets', for_deletion: true, ...fields });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return (answer.body as { id: string }).id;
}

/** Returns the history of every run of a workflow as text, with payloads decoded from their bytes. */
async function historyText(workflowId: string): Promise<string> {
  const texts: string[] = [];
  for await (const execution of temporal.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
    const history = await temporal.workflow.getHandle(workflowId, execution.runId).fetchHistory();
    texts.push(JSON.stringify(decodeBytes(history)));
  }
  expect(texts.length, `runs of ${workflowId}`).toBeGreaterThan(0);
  return texts.join('\n');
}

/** Copies a history with every byte array (payload data, metadata) turned into its UTF-8 text. */
function decodeBytes(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    return Buffer.from(value).toString('utf8');
  }
  if (Array.isArray(value)) {
    return value.map(decodeBytes);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, decodeBytes(item)]));
  }
  return value;
}

function expectNoSecret(text: string, where: string): void {
  for (const secret of secretValues) {
    expect(text.includes(secret), `${where} contains a secret`).toBe(false);
    expect(
      text.includes(Buffer.from(secret).toString('base64')),
      `${where} contains a secret in base64`,
    ).toBe(false);
  }
}

beforeAll(async () => {
  const addresses = stackAddresses();
  const mongoUrl = uniqueDatabaseUrl(addresses.mongoUrl);
  importRoot = await mkdtemp(path.join(tmpdir(), 'profile-jobs-secrets-'));
  await writeFile(
    path.join(importRoot, 'profiles.csv'),
    'email\nsecret-test@example.com\nnobody@example.com\n',
  );
  const port = await findFreePort();
  apiUrl = `http://127.0.0.1:${port}`;
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (data: Buffer) => (body += data.toString()));
    request.on('end', () => {
      webhookBodies.push(body);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverAddress = receiver.address();
  webhookUrl = `http://127.0.0.1:${typeof receiverAddress === 'object' && receiverAddress !== null ? receiverAddress.port : 0}/jobs`;

  const environment = {
    PROFILE_JOBS_MONGO_URL: mongoUrl,
    PROFILE_JOBS_TEMPORAL_ADDRESS: addresses.temporalAddress,
    PROFILE_JOBS_TASK_QUEUE: `test-${randomUUID()}`,
    PROFILE_JOBS_IMPORT_ROOT: importRoot,
    PROFILE_JOBS_API_PORT: String(port),
    PROFILE_JOBS_API_KEY: apiKey,
    PROFILE_JOBS_SECRET_KEY: secretKey,
    PROFILE_JOBS_CHUNK_RECORDS: '1',
    // Every log line the processes can write, debug and trace included, is searched for secrets.
    PROFILE_JOBS_LOG_LEVEL: 'trace',
  };
  [api, worker] = await Promise.all([
    startServiceProcess('api/main.ts', environment, 'API listening'),
    startServiceProcess('worker/main.ts', environment, 'Worker started'),
  ]);
  store = await connectStore({ url: mongoUrl });
  connection = await Connection.connect({ address: addresses.temporalAddress });
  temporal = new Client({ connection });
});

afterAll(async () => {
  const definitions = (await store?.definitions.find({}, { projection: { _id: 1 } }).toArray()) ?? [];
  for (const definition of definitions) {
    await deleteDefinitionSchedule(temporal, definition._id);
  }
  await Promise.all([api?.stop(), worker?.stop()]);
  await connection?.close();
  await store?.db.dropDatabase();
  if (store !== undefined) {
    await closeStore(store);
  }
  await rm(importRoot, { recursive: true, force: true });
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('definition secrets', () => {
  let runnableId: string;
  const definitionIds: string[] = [];
  const workflowIds: string[] = [];
  const jobIds: string[] = [];

  beforeAll(async () => {
    runnableId = await create({
      source: { protocol: 'local', path: 'profiles.csv' },
      schedule: { cron: '0 3 * * *' },
      webhook: {
        url: webhookUrl,
        secret: secrets.webhookSecret,
        authorization: secrets.webhookAuthorization,
      },
    });
    definitionIds.push(
      runnableId,
      await create({
        source: {
          protocol: 'sftp',
          host: 'sftp.example.com',
          username: 'alice',
          password: secrets.sftpPassword,
          path: 'a.csv',
        },
      }),
      await create({
        source: {
          protocol: 'sftp',
          host: 'sftp.example.com',
          username: 'alice',
          private_key: secrets.sftpPrivateKey,
          passphrase: secrets.sftpPassphrase,
          path: 'a.csv',
        },
      }),
      await create({
        source: {
          protocol: 's3',
          bucket: 'exports',
          region: 'eu-west-3',
          access_key_id: 'AKIAEXAMPLE',
          secret_access_key: secrets.s3SecretKey,
          path: 'a.csv',
        },
      }),
      await create({
        source: {
          protocol: 'gcs',
          project_id: 'project',
          bucket: 'exports',
          credentials: {
            client_email: 'jobs@project.iam.gserviceaccount.com',
            private_key: secrets.gcsPrivateKey,
          },
          path: 'a.csv',
        },
      }),
      await create({
        source: { protocol: 'local', path: 'profiles.csv' },
        encryption: { password: secrets.encryptionPassword, pbkdf2_iterations: 1000 },
      }),
    );
    await store.profiles.insertOne({ _id: 'secret-test', email: 'secret-test@example.com' });

    for (const id of definitionIds) {
      await call('GET', `/definitions/${id}`);
      await call('PATCH', `/definitions/${id}`, { description: 'edited without touching secrets' });
    }
    await call('GET', '/definitions');

    const run = await call('POST', `/definitions/${runnableId}/run`, {});
    const manualJob = run.body as { id: string; workflow_id: string };
    await temporal.workflow.getHandle(manualJob.workflow_id).result();

    const schedule = temporal.schedule.getHandle(definitionScheduleId(runnableId));
    await schedule.trigger();
    const scheduledRunId = await waitFor(
      async () => (await schedule.describe()).info.recentActions.at(-1)?.action.workflow.workflowId,
      'the scheduled run to start',
    );
    const scheduled = await temporal.workflow.getHandle(scheduledRunId).result();
    const scheduledJobId = (scheduled as { jobId: string }).jobId;
    await temporal.workflow.getHandle(`job-${scheduledJobId}`).result();

    jobIds.push(manualJob.id, scheduledJobId);
    workflowIds.push(manualJob.workflow_id, scheduledRunId, `job-${scheduledJobId}`);
    for (const jobId of jobIds) {
      await call('GET', `/jobs/${jobId}`);
      await call('GET', `/jobs/${jobId}/logs?page_size=1000`);
      await call('GET', `/jobs/${jobId}/progress`);
    }
  });

  test('the runs succeed', async () => {
    const reports = await Promise.all(
      jobIds.map(async (jobId) => (await call('GET', `/jobs/${jobId}`)).body),
    );

    expect(reports).toEqual([
      expect.objectContaining({ trigger: 'manual', status: 'SUCCESS', succeeded: 1, failed: 1 }),
      expect.objectContaining({ trigger: 'schedule', status: 'SUCCESS', succeeded: 0, failed: 2 }),
    ]);
  });

  test('API responses show only the masked marker', async () => {
    const read = await call('GET', `/definitions/${definitionIds[1]}`);

    expect((read.body as { source: unknown }).source).toEqual({
      protocol: 'sftp',
      host: 'sftp.example.com',
      port: 22,
      username: 'alice',
      password: '********',
      path: 'a.csv',
    });
    expect(responses.length).toBeGreaterThan(20);
    expectNoSecret(responses.join('\n'), 'an API response');
  });

  test('stored definitions hold sealed secrets only', async () => {
    const stored = await store.definitions.find({}).toArray();

    expect(stored).toHaveLength(definitionIds.length);
    expectNoSecret(JSON.stringify(stored), 'the definitions collection');
    const webhook = stored.find((document) => document._id === runnableId)?.webhook;
    expect(webhook?.secret).toEqual({
      sealed: 'aes-256-gcm',
      key_id: expect.stringMatching(/^[0-9a-f]{16}$/),
      iv: expect.any(String),
      tag: expect.any(String),
      data: expect.any(String),
    });
  });

  test('edits keep the stored secrets', async () => {
    const keyring = createSecretKeyring({ currentKey: secretKey });
    const unsealed = await Promise.all(
      definitionIds.map(async (id) => {
        const definition = await findDefinition(store, id);
        return definition === null ? null : unsealDefinitionSecrets(definition, keyring);
      }),
    );

    expect(unsealed[0]?.webhook).toEqual({
      url: webhookUrl,
      secret: secrets.webhookSecret,
      authorization: secrets.webhookAuthorization,
    });
    expect(unsealed[1]?.source).toMatchObject({ password: secrets.sftpPassword });
    expect(unsealed[2]?.source).toMatchObject({
      private_key: secrets.sftpPrivateKey,
      passphrase: secrets.sftpPassphrase,
    });
    expect(unsealed[3]?.source).toMatchObject({ secret_access_key: secrets.s3SecretKey });
    expect(unsealed[4]?.source).toMatchObject({
      credentials: {
        client_email: 'jobs@project.iam.gserviceaccount.com',
        private_key: secrets.gcsPrivateKey,
      },
    });
    expect(unsealed[5]?.encryption).toEqual({
      password: secrets.encryptionPassword,
      pbkdf2_iterations: 1000,
      format: 'binary',
    });
    expect(
      unsealed.every((definition) => definition?.description === 'edited without touching secrets'),
    ).toBe(true);
  });

  test('job logs hold no secret', async () => {
    for (const jobId of jobIds) {
      const logs = await store.jobLogs.find({ job_id: jobId }).toArray();
      expect(logs.length).toBeGreaterThan(0);
      expectNoSecret(JSON.stringify(logs), `the log of job ${jobId}`);
    }
  });

  test('Temporal histories hold no secret', async () => {
    for (const workflowId of workflowIds) {
      const text = await historyText(workflowId);
      expect(text).toContain('workflowExecutionCompletedEventAttributes');
      // Payloads are decoded, so the search reads the workflow inputs and results themselves.
      expect(text).toMatch(/\\"jobId\\":\\"[0-9a-f-]{36}\\"/);
      expectNoSecret(text, `the history of ${workflowId}`);
    }
  });

  test('webhook bodies hold no secret', () => {
    // One body per run; the signing secret and the Authorization value travel only as headers.
    expect(webhookBodies).toHaveLength(2);
    for (const body of webhookBodies) {
      expectNoSecret(body, 'a webhook body');
    }
  });

  test('process logs hold no secret', () => {
    expect(api.output()).toContain('API listening');
    expect(worker.output()).toContain('Worker started');
    expect(worker.output()).toContain('Finished job');

    expectNoSecret(api.output(), 'the API process log');
    expectNoSecret(worker.output(), 'the worker process log');
  });
});
