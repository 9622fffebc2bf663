import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { findFreePort } from './service-process.js';
import { definitionIdKey, jobStatusKey, jobTypeKey } from '../../core/search-attributes.js';

const repositoryRoot = path.resolve(import.meta.dirname, '..', '..');

/**
 * A Temporal dev server of the test's own, on its own port and database file, so a test can stop and
 * restart it without disturbing the shared stack that other test files use.
 */
export interface PrivateTemporal {
  address: string;
  start: () => Promise<void>;
  /** Stops the server with SIGKILL, as a crash would; its database file stays. */
  kill: () => Promise<void>;
}

export async function privateTemporal(databaseFile: string): Promise<PrivateTemporal> {
  const port = await findFreePort();
  const address = `127.0.0.1:${port}`;
  let child: ChildProcess | null = null;

  const start = async () => {
    const binary = path.join(repositoryRoot, '.stack', 'bin', 'temporal');
    const attributes = [definitionIdKey, jobTypeKey, jobStatusKey].flatMap((key) => [
      '--search-attribute',
      `${key.name}=Keyword`,
    ]);
    child = spawn(
      binary,
      [
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--headless',
        '--db-filename',
        databaseFile,
        '--log-level',
        'error',
        ...attributes,
      ],
      { stdio: 'ignore' },
    );
    await waitUntilServing(address);
  };

  const kill = async () => {
    const running = child;
    if (running === null || running.exitCode !== null) {
      return;
    }
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };

  return { address, start, kill };
}

async function waitUntilServing(address: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.describeNamespace({ namespace: 'default' });
      await connection.close();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`The private Temporal server at ${address} did not start within 60 s`, {
          cause: error,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
