import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { prepareServiceLaunch } from '../../worker/node-options.js';

const repositoryRoot = path.resolve(import.meta.dirname, '..', '..');

/** A server of this project running as a process of its own, with everything it writes kept. */
export interface ServiceProcess {
  /** Standard output and standard error of the process so far. */
  output: () => string;
  /** Sends SIGTERM and waits for the process to exit. */
  stop: () => Promise<void>;
  /** Ends the process with SIGKILL, as a crash would: no shutdown, no heartbeat, no cleanup. */
  kill: () => Promise<void>;
}

/**
 * Starts `entry` (such as `api/main.ts`) with `environment`, and waits until its output contains
 * `readyPhrase`. Node runs the server itself, with no launcher between, so the test's signals reach it.
 * The worker is compiled anew first.
 * @throws Error with the output when the process exits or is not ready within 60 seconds.
 */
export async function startServiceProcess(
  entry: string,
  environment: NodeJS.ProcessEnv,
  readyPhrase: string,
): Promise<ServiceProcess> {
  const node = path.join(repositoryRoot, 'node_modules', '.bin', 'node');
  const launch = await prepareServiceLaunch(entry);
  const child: ChildProcess = spawn(node, launch.nodeArguments, {
    cwd: repositoryRoot,
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...launch.environment, ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let output = '';
  child.stdout?.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr?.on('data', (data: Buffer) => (output += data.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + 60_000;
  while (!output.includes(readyPhrase)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${entry} did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
      }
      await exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Returns a TCP port that is free on 127.0.0.1 right now. */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') {
    throw new Error('The test server has no TCP address');
  }
  return address.port;
}
