import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NativeConnection } from '@temporalio/worker';
import type { ActivityDependencies } from '../../activities/activity-dependencies.js';
import { jobWorkflowId } from '../../core/search-attributes.js';
import { openSource } from '../../sources/open-source.js';
import { secretKeyringFromSettings } from '../../store/secret-sealing.js';
import { insertJob } from '../../store/jobs.js';
import type { JobDocument } from '../../store/jobs.js';
import { createJobWorker } from '../../worker/create-worker.js';
import type { DeleteProfilesWorkflowInput } from '../../workflows/delete-profiles-workflow.js';
import { workflowBundle } from '../support/test-services.js';
import type { JobTestEnvironment } from '../support/test-services.js';

/**
 * Runs a worker on the environment's task queue with extra activity dependencies, such as a webhook
 * loader. Start the environment with `inProcessWorker: false` so this is the only worker.
 * @returns a function that stops the worker.
 */
export async function startWorkerWith(
  environment: JobTestEnvironment,
  extra: Partial<ActivityDependencies>,
): Promise<() => Promise<void>> {
  const dependencies = {
    store: environment.store,
    openSource: (source: Parameters<typeof openSource>[0]) => openSource(source, environment.settings),
    settings: environment.settings,
    clock: () => new Date(),
    keyring: secretKeyringFromSettings(environment.settings),
    ...extra,
  };
  const connection = await NativeConnection.connect({ address: environment.settings.temporalAddress });
  const worker = await createJobWorker({
    connection,
    namespace: environment.settings.temporalNamespace,
    taskQueue: environment.taskQueue,
    workflowBundle: await workflowBundle(),
    dependencies,
  });
  const running = worker.run();
  return async () => {
    worker.shutdown();
    await running;
    await connection.close();
  };
}

/** Returns a job report as the API inserts it when a run starts, with `fields` changed. */
export function jobDocument(
  fields: Partial<JobDocument> & { _id: string; definition_id: string },
): JobDocument {
  return {
    definition_name: 'test deletion',
    job_type: 'DELETION',
    trigger: 'manual',
    status: 'WAITING',
    paused: false,
    dry_run: false,
    workflow_id: jobWorkflowId(fields._id),
    total: 0,
    processed: 0,
    succeeded: 0,
    failed: 0,
    estimated: false,
    plan: null,
    created_at: new Date(),
    started_at: null,
    ended_at: null,
    ...fields,
  };
}

/**
 * Inserts a job and runs its workflow to the end, with workflow input of the test's choice (the API
 * always uses the production defaults).
 */
export async function runJobWorkflow(
  environment: JobTestEnvironment,
  job: JobDocument,
  input: Partial<DeleteProfilesWorkflowInput> = {},
): Promise<void> {
  await insertJob(environment.store, job);
  const handle = await environment.temporal.workflow.start('deleteProfilesWorkflow', {
    taskQueue: environment.taskQueue,
    workflowId: job.workflow_id,
    args: [{ jobId: job._id, chunkWindow: 2, ...input } satisfies DeleteProfilesWorkflowInput],
  });
  await handle.result();
}

/** A request that a test receiver got. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An HTTP server on 127.0.0.1 that responds to each request with the next status of `statuses` (the last one repeats). */
export interface TestReceiver {
  url: string;
  requests: ReceivedRequest[];
  close: () => Promise<void>;
}

export async function startReceiver(statuses: number[]): Promise<TestReceiver> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      const status = statuses[Math.min(requests.length, statuses.length) - 1] ?? 200;
      response.writeHead(status, { 'content-type': 'text/plain' }).end(`response ${requests.length}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/hooks/profile-jobs?token=abc`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
