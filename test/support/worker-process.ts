import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Settings } from '../../core/settings.js';

const repositoryRoot = path.resolve(import.meta.dirname, '..', '..');

/** A worker running as a process of its own, as in production, so a test can kill it. */
export interface WorkerProcess {
  child: ChildProcess;
  /** Everything the process wrote, standard output and error together. */
  output: () => string;
  /** Ends the process with SIGKILL: no shutdown, no heartbeat, no cleanup. */
  kill: () => Promise<void>;
  stop: () => Promise<void>;
}

/** Returns the environment variables that give a worker process these settings. */
export function settingsEnvironment(settings: Settings): NodeJS.ProcessEnv {
  return {
    PROFILE_JOBS_MONGO_URL: settings.mongoUrl,
    PROFILE_JOBS_TEMPORAL_ADDRESS: settings.temporalAddress,
    PROFILE_JOBS_TEMPORAL_NAMESPACE: settings.temporalNamespace,
    PROFILE_JOBS_TASK_QUEUE: settings.taskQueue,
    PROFILE_JOBS_IMPORT_ROOT: settings.importRoot,
    PROFILE_JOBS_MAX_RECORDS: String(settings.maxRecords),
    PROFILE_JOBS_CHUNK_RECORDS: String(settings.chunkRecords),
    PROFILE_JOBS_CHUNK_WINDOW: String(settings.chunkWindow),
    PROFILE_JOBS_BATCH_RECORDS: String(settings.batchRecords),
    PROFILE_JOBS_STORE_CONCURRENCY: String(settings.storeConcurrency),
    PROFILE_JOBS_DEFAULT_PHONE_REGION: settings.defaultPhoneRegion,
    PROFILE_JOBS_SECRET_KEY: settings.secretKey,
  };
}

/** Starts `worker/main.ts` with these settings and waits until it polls its task queue. */
export async function startWorkerProcess(settings: Settings): Promise<WorkerProcess> {
  // One process, not the tsx launcher and its child, so SIGKILL reaches the worker itself.
  const node = path.join(repositoryRoot, 'node_modules', '.bin', 'node');
  const child = spawn(node, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: repositoryRoot,
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...settingsEnvironment(settings) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let output = '';
  child.stdout?.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr?.on('data', (data: Buffer) => (output += data.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + 60_000;
  while (!output.includes('Worker started')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The worker process did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    child,
    output: () => output,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
      }
      await exited;
    },
  };
}
