import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Settings } from '../../core/settings.js';
import { openSource } from '../../sources/open-source.js';
import { closeStore, connectStore } from '../../store/connect-store.js';
import { secretKeyringFromSettings } from '../../store/secret-sealing.js';
import type { Store } from '../../store/connect-store.js';
import { createJobWorker, workflowsPath } from '../../worker/create-worker.js';
import { createApp } from '../../api/create-app.js';

/** Addresses of the embedded stack that the global setup started. */
export function stackAddresses(): { mongoUrl: string; temporalAddress: string } {
  const mongoUrl = process.env['PROFILE_JOBS_MONGO_URL'];
  const temporalAddress = process.env['PROFILE_JOBS_TEMPORAL_ADDRESS'];
  if (mongoUrl === undefined || temporalAddress === undefined) {
    throw new Error(
      'PROFILE_JOBS_MONGO_URL and PROFILE_JOBS_TEMPORAL_ADDRESS must be set by the global setup',
    );
  }
  return { mongoUrl, temporalAddress };
}

/** Returns a connection string to a new database of its own, so tests share no state. */
export function uniqueDatabaseUrl(mongoUrl: string): string {
  const url = new URL(mongoUrl);
  url.pathname = `/test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  return url.toString();
}

// The SDK's worker state changes at INFO level would bury test output; warnings and errors still show.
Runtime.install({ logger: new DefaultLogger('WARN') });

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Bundles the workflows once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
  return bundle;
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string, meta?: Record<string, unknown>) => console.error(message, meta),
};

export const testApiKey = 'test-administrator-key-0123456789';

/** A database, an import folder, a worker on its own task queue, a Temporal client and the API. */
export interface JobTestEnvironment {
  store: Store;
  importRoot: string;
  taskQueue: string;
  settings: Settings;
  temporal: Client;
  app: ReturnType<typeof createApp>;
  /** The in-process worker, or null when the test runs workers as processes of their own. */
  worker: Worker | null;
  /** Calls the API as the administrator. */
  request: (method: string, path: string, body?: unknown) => Promise<Response>;
  close: () => Promise<void>;
}

export interface JobEnvironmentOptions {
  /** Runs a worker inside the test process; default true. */
  inProcessWorker?: boolean;
}

/** Starts a full job environment on the running stack; `overrides` change job settings. */
export async function startJobEnvironment(
  overrides: Partial<Settings> = {},
  options: JobEnvironmentOptions = {},
): Promise<JobTestEnvironment> {
  const addresses = stackAddresses();
  const taskQueue = `test-${randomUUID()}`;
  const importRoot = await mkdtemp(path.join(tmpdir(), 'profile-jobs-imports-'));
  const settings: Settings = {
    mongoUrl: uniqueDatabaseUrl(addresses.mongoUrl),
    temporalAddress: addresses.temporalAddress,
    temporalNamespace: 'default',
    taskQueue,
    importRoot,
    apiPort: 0,
    apiKey: testApiKey,
    maxRecords: 1_000_000,
    chunkRecords: 250,
    chunkWindow: 2,
    chunksPerRun: 500,
    batchRecords: 100,
    storeConcurrency: 16,
    defaultPhoneRegion: 'FR',
    retentionDays: 183,
    importJobsEnabled: true,
    secretKey: randomBytes(32).toString('base64'),
    previousSecretKeys: [],
    ...overrides,
  };

  const store = await connectStore({ url: settings.mongoUrl });
  const nativeConnection = await NativeConnection.connect({ address: settings.temporalAddress });
  const worker =
    options.inProcessWorker === false
      ? null
      : await createJobWorker({
          connection: nativeConnection,
          namespace: settings.temporalNamespace,
          taskQueue,
          workflowBundle: await workflowBundle(),
          dependencies: {
            store,
            openSource: (source) => openSource(source, settings),
            settings,
            keyring: secretKeyringFromSettings(settings),
            clock: () => new Date(),
          },
        });
  const workerRun = worker?.run();

  const connection = await Connection.connect({ address: settings.temporalAddress });
  const temporal = new Client({ connection, namespace: settings.temporalNamespace });
  const app = createApp({ store, temporal, settings, clock: () => new Date() });

  const request = (method: string, routePath: string, body?: unknown) =>
    Promise.resolve(
      app.request(routePath, {
        method,
        headers: { authorization: `Bearer ${testApiKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );

  const close = async () => {
    worker?.shutdown();
    await workerRun;
    await nativeConnection.close();
    await connection.close();
    await store.db.dropDatabase();
    await closeStore(store);
    await rm(importRoot, { recursive: true, force: true });
  };

  return { store, importRoot, taskQueue, settings, temporal, app, worker, request, close };
}
