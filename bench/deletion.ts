/**
 * Measures a deletion job end to end on the embedded stack and prints one JSON object:
 * (a) the plan's scan rate over the CSV against bare csv-parse over the same file, as a ratio. The
 *     scan is timed inside the plan activity, from its first read of the file to its last record
 *     checked, and stored with the job's plan. `plan_activity_records_per_second` also divides by the
 *     activity's whole span in the workflow history, which adds loading the job, saving its chunks
 *     and the task's way through Temporal. Each side first reads the file's first 100,000 records at
 *     most once, which warms up the JIT compiler. Then each reads the whole file three times, and its
 *     best read counts. The worker plans two jobs that are cancelled once planned and then the
 *     measured job, and csv-parse makes three passes. The first reads are compared in
 *     `first_plan_to_first_pass_ratio`;
 * (b) the job's end-to-end time against a bare driver script that does the same store operations
 *     (one lookup by email, one delete by id per record) with the same concurrency on the same
 *     freshly seeded store, as a ratio;
 * (c) records per second end to end; (d) the worker process's peak resident memory (VmHWM);
 * (e) the largest history of any run of the job's workflow.
 *
 * Run: `npm run bench -- [records]` (default 100,000; 1,000,000 takes about half an hour here).
 * It uses a database of its own (`bench_deletion`) and a task queue of its own, and leaves the stack
 * running. The job runs with the default job settings unless PROFILE_JOBS_* variables say otherwise.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { parse } from 'csv-parse';
import { createApp } from '../api/create-app.js';
import { readSettings } from '../core/settings.js';
import { startStack } from '../stack/stack.js';
import { closeStore, connectStore, createIndexes } from '../store/connect-store.js';
import type { Store } from '../store/connect-store.js';
import { insertProfiles } from '../store/profiles.js';
import { runBounded } from '../activities/run-bounded.js';
import { prepareServiceLaunch } from '../worker/node-options.js';

const records = Number(process.argv[2] ?? 100_000);
/**
 * Records of the first plan and csv-parse's first pass, which warm up the JIT compiler: the file's
 * first ones, at most 100,000, so that on a large file the warm-up takes little time.
 */
const firstPlanRecords = Math.min(records, 100_000);
const repositoryRoot = path.resolve(import.meta.dirname, '..');
const importRoot = path.join(repositoryRoot, '.stack', 'bench-imports');
const apiKey = 'bench-administrator-key-0123456789';

async function main(): Promise<void> {
  const stack = await startStack({ log: () => undefined });
  const databaseUrl = new URL(stack.mongoUrl);
  databaseUrl.pathname = '/bench_deletion';
  const settings = readSettings({
    ...process.env,
    PROFILE_JOBS_MONGO_URL: databaseUrl.toString(),
    PROFILE_JOBS_TEMPORAL_ADDRESS: stack.temporalAddress,
    PROFILE_JOBS_TASK_QUEUE: `bench-${Date.now()}`,
    PROFILE_JOBS_IMPORT_ROOT: importRoot,
    PROFILE_JOBS_API_KEY: apiKey,
    PROFILE_JOBS_SECRET_KEY: randomBytes(32).toString('base64'),
  });

  await mkdir(importRoot, { recursive: true });
  const filePath = path.join(importRoot, 'bench.csv');
  await writeFile(filePath, deletionCsv(records));
  const firstPlanPath = path.join(importRoot, 'bench-first-plan.csv');
  await writeFile(firstPlanPath, deletionCsv(firstPlanRecords));
  const store = await connectStore({
    url: settings.mongoUrl,
    maxPoolSize: settings.storeConcurrency * settings.chunkWindow * 2,
  });

  const concurrency = settings.storeConcurrency * settings.chunkWindow;

  await reseed(store);
  const bareStart = performance.now();
  await bareDeletion(store, concurrency);
  const bareSeconds = (performance.now() - bareStart) / 1000;

  const session = await startWorkerSession(settings, store);
  try {
    // The first job starts once the worker has settled, as it would on a worker that runs all day. Its
    // first seconds go to bundling the workflows, and @temporalio/worker 1.24 keeps a parsed copy of
    // the bundle for 10 s after that, for debuggers. A job started 8 s after the worker raised the peak
    // by about 30 MB.
    await new Promise((resolve) => setTimeout(resolve, 20_000));

    // The bare driver deleted every profile of the file, so these jobs have nothing to delete.
    const firstPlanSeconds = await planThenCancel(
      session,
      store,
      'bench-first-plan',
      path.basename(firstPlanPath),
    );
    const firstPlanRate = firstPlanRecords / firstPlanSeconds;
    const planOnlyRates: number[] = [];
    for (const name of ['bench-plan-only-1', 'bench-plan-only-2']) {
      planOnlyRates.push(records / (await planThenCancel(session, store, name, path.basename(filePath))));
    }

    await reseed(store);
    // csv-parse runs just before the job, so that it and the measured job's plan scan on the machine as
    // it is right after a million profiles were written. The plan-only jobs ran before the reseed, so
    // that they delete nothing.
    const csvParseFirstPass = (await csvParseRates(firstPlanPath, 1))[0]!;
    const csvParsePasses = await csvParseRates(filePath, 3);
    const csvParseBest = Math.max(...csvParsePasses);
    const job = await runJob(session, store, path.basename(filePath));
    const planRates = [...planOnlyRates, job.planRate];
    const planBest = Math.max(...planRates);

    const result = {
      records,
      settings: {
        chunkRecords: settings.chunkRecords,
        chunkWindow: settings.chunkWindow,
        batchRecords: settings.batchRecords,
        storeConcurrency: settings.storeConcurrency,
      },
      a_plan_scan_ratio: round(planBest / csvParseBest),
      plan_records_per_second: Math.round(planBest),
      plan_rates_records_per_second: planRates.map((rate) => Math.round(rate)),
      plan_activity_records_per_second: Math.round(job.planActivityRate),
      csv_parse_records_per_second: Math.round(csvParseBest),
      csv_parse_rates_records_per_second: csvParsePasses.map((rate) => Math.round(rate)),
      first_plan_records: firstPlanRecords,
      first_plan_records_per_second: Math.round(firstPlanRate),
      csv_parse_first_pass_records_per_second: Math.round(csvParseFirstPass),
      first_plan_to_first_pass_ratio: round(firstPlanRate / csvParseFirstPass),
      b_job_to_bare_driver_ratio: round(job.seconds / bareSeconds),
      job_seconds: round(job.seconds),
      bare_driver_seconds: round(bareSeconds),
      c_records_per_second: Math.round(records / job.seconds),
      d_worker_peak_memory_mb: await readPeakMemoryMb(session.workerPid),
      e_largest_history_events: job.largestHistory,
      runs: job.runs,
      succeeded: job.succeeded,
      status: job.status,
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await session.close();
  }

  await store.db.dropDatabase();
  await closeStore(store);
  await rm(importRoot, { recursive: true, force: true });
}

function deletionCsv(count: number): string {
  const lines = ['email;given_name'];
  for (let i = 0; i < count; i += 1) {
    lines.push(`bench${i}@example.com;Bench ${i}`);
  }
  return lines.join('\n') + '\n';
}

async function reseed(store: Store): Promise<void> {
  // FerretDB 1.24 turns deleteMany({}) into one SQL statement with a parameter per document, which
  // fails past 65,535 documents, so the collection is dropped and indexed again instead.
  await store.profiles.drop().catch(() => undefined);
  await createIndexes(store);
  const batch = 50_000;
  for (let start = 0; start < records; start += batch) {
    const profiles = [];
    for (let i = start; i < Math.min(records, start + batch); i += 1) {
      profiles.push({ _id: `bench-${i}`, email: `bench${i}@example.com`, given_name: `Bench ${i}` });
    }
    await insertProfiles(store, profiles);
  }
}

/**
 * Measures csv-parse over a file and returns its records per second, one figure per pass. The first
 * pass in the process is compared with the worker's first plan over the same records, and the best of
 * three later passes over the whole file with the best of the worker's three later plans in (a).
 */
async function csvParseRates(filePath: string, passes: number): Promise<number[]> {
  const rates: number[] = [];
  for (let pass = 0; pass < passes; pass += 1) {
    const start = performance.now();
    let count = 0;
    const parser = createReadStream(filePath).pipe(parse({ delimiter: ';', escape: '\\', from_line: 2 }));
    for await (const _record of parser) count += 1;
    rates.push(count / ((performance.now() - start) / 1000));
  }
  return rates;
}

/** Does the same store work as the job, without Temporal, the file or bookkeeping. */
async function bareDeletion(store: Store, concurrency: number): Promise<void> {
  const indexes = Array.from({ length: records }, (_, i) => i);
  await runBounded(indexes, concurrency, async (i) => {
    const found = await store.profiles
      .find({ email: `bench${i}@example.com` }, { projection: { _id: 1 }, limit: 2 })
      .toArray();
    const id = found[0]?._id;
    if (id !== undefined) {
      await store.profiles.deleteOne({ _id: id });
    }
  });
}

interface WorkerSession {
  workerPid: number;
  temporal: Client;
  /** Calls the API in process, as the administrator. */
  call: (method: string, route: string, body: unknown) => Promise<Record<string, unknown>>;
  close: () => Promise<void>;
}

/** Starts a worker process as `npm run worker` does, and an API to start and control its jobs. */
async function startWorkerSession(
  settings: ReturnType<typeof readSettings>,
  store: Store,
): Promise<WorkerSession> {
  const launch = await prepareServiceLaunch('worker/main.ts');
  const worker = spawn(path.join(repositoryRoot, 'node_modules', '.bin', 'node'), launch.nodeArguments, {
    cwd: repositoryRoot,
    env: {
      ...process.env,
      ...launch.environment,
      PROFILE_JOBS_MONGO_URL: settings.mongoUrl,
      PROFILE_JOBS_TEMPORAL_ADDRESS: settings.temporalAddress,
      PROFILE_JOBS_TASK_QUEUE: settings.taskQueue,
      PROFILE_JOBS_IMPORT_ROOT: settings.importRoot,
      PROFILE_JOBS_SECRET_KEY: settings.secretKey,
      PROFILE_JOBS_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const connection = await Connection.connect({ address: settings.temporalAddress });
  const temporal = new Client({ connection });
  const app = createApp({ store, temporal, settings, clock: () => new Date() });

  return {
    workerPid: worker.pid ?? 0,
    temporal,
    call: async (method, route, body) => {
      const response = await app.request(route, {
        method,
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await response.json()) as Record<string, unknown>;
    },
    close: async () => {
      worker.kill('SIGTERM');
      await connection.close();
    },
  };
}

async function createDefinition(session: WorkerSession, name: string, fileName: string): Promise<string> {
  const definition = await session.call('POST', '/definitions', {
    name,
    for_deletion: true,
    source: { protocol: 'local', path: fileName },
  });
  return String(definition['id']);
}

/** Runs a job over a file until its plan is saved, cancels it, and returns the plan's scan time in seconds. */
async function planThenCancel(
  session: WorkerSession,
  store: Store,
  definitionName: string,
  fileName: string,
): Promise<number> {
  const definitionId = await createDefinition(session, definitionName, fileName);
  const job = await session.call('POST', `/definitions/${definitionId}/run`, {});
  const jobId = String(job['id']);

  let scanSeconds = 0;
  while (scanSeconds === 0) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stored = await store.jobs.findOne({ _id: jobId });
    if (stored !== null && stored.status !== 'WAITING') {
      throw new Error(
        `The plan-only job ${jobId} ended ${stored.status} before its plan was saved. Read its ERROR line from GET /jobs/${jobId}/logs.`,
      );
    }
    scanSeconds = stored?.plan?.scan_seconds ?? 0;
  }

  await session.call('POST', `/jobs/${jobId}/cancel`, {});
  // A cancelled workflow's result is a failure, so its status comes from its description.
  const handle = session.temporal.workflow.getHandle(String(job['workflow_id']));
  await handle.result().catch(() => undefined);
  const status = (await handle.describe()).status.name;
  if (status !== 'CANCELLED') {
    throw new Error(
      `The plan-only job ${jobId} ended ${status} instead of CANCELLED. Read its logs from GET /jobs/${jobId}/logs.`,
    );
  }
  return scanSeconds;
}

async function runJob(session: WorkerSession, store: Store, fileName: string) {
  const definitionId = await createDefinition(session, 'bench', fileName);

  const start = performance.now();
  const job = await session.call('POST', `/definitions/${definitionId}/run`, {});
  const workflowId = String(job['workflow_id']);
  const outcome = (await session.temporal.workflow.getHandle(workflowId).result()) as {
    status: string;
    counts: { succeeded: number };
  };
  const seconds = (performance.now() - start) / 1000;
  const storedJob = await store.jobs.findOne({ _id: String(job['id']) });
  const scanSeconds = storedJob?.plan?.scan_seconds ?? 0;

  let largestHistory = 0;
  let runs = 0;
  let planActivitySeconds = 0;
  for await (const execution of session.temporal.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
    runs += 1;
    largestHistory = Math.max(largestHistory, execution.historyLength);
    const history = await session.temporal.workflow.getHandle(workflowId, execution.runId).fetchHistory();
    planActivitySeconds += planActivitySpan(history.events ?? []);
  }

  return {
    seconds,
    planRate: scanSeconds > 0 ? records / scanSeconds : 0,
    planActivityRate: planActivitySeconds > 0 ? records / planActivitySeconds : 0,
    largestHistory,
    runs,
    status: outcome.status,
    succeeded: outcome.counts.succeeded,
  };
}

/** Seconds from the start to the completion of the plan activity, read from a run's history. */
function planActivitySpan(
  events: {
    eventTime?: { seconds?: unknown; nanos?: number | null } | null;
    activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
    activityTaskStartedEventAttributes?: { scheduledEventId?: unknown } | null;
    activityTaskCompletedEventAttributes?: { scheduledEventId?: unknown } | null;
    eventId?: unknown;
  }[],
): number {
  const seconds = (event: (typeof events)[number]) =>
    Number(event.eventTime?.seconds ?? 0) + (event.eventTime?.nanos ?? 0) / 1e9;
  const scheduled = events.find(
    (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'planJob',
  );
  if (scheduled === undefined) {
    return 0;
  }
  const scheduledId = String(scheduled.eventId);
  const started = events.find(
    (event) => String(event.activityTaskStartedEventAttributes?.scheduledEventId) === scheduledId,
  );
  const completed = events.find(
    (event) => String(event.activityTaskCompletedEventAttributes?.scheduledEventId) === scheduledId,
  );
  return started === undefined || completed === undefined ? 0 : seconds(completed) - seconds(started);
}

async function readPeakMemoryMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kilobytes = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round(kilobytes / 1024);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
