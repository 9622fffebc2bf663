import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { promisify } from 'node:util';

import type { StackConfig } from './config.js';
import { StackError } from './errors.js';
import {
  checkPostgresBinaries,
  ensureCluster,
  postgresDataDir,
  postgresLogFile,
  runAsPostgres,
  writeClusterSettings,
} from './postgres-cluster.js';
import { assertPortFree, isOurProcess, readLogTail } from './processes.js';
import { runPsql } from './psql.js';
import type { ServiceStatus, StartOutcome, StopOutcome } from './service.js';

const execFileAsync = promisify(execFile);

/** Database that FerretDB stores its data in; each MongoDB database becomes a schema in it. */
export const ferretdbDatabase = 'ferretdb';

/** Time allowed to `pg_ctl` for a start or a stop, in seconds. */
const pgCtlTimeoutSeconds = 60;

const indexTwinsScript = fileURLToPath(new URL('./index-twins.sql', import.meta.url));

/** Connection URL of FerretDB's database, as the superuser that the cluster trusts on loopback. */
export function postgresUrl(config: StackConfig): string {
  return `postgres://postgres@${config.host}:${config.ports.postgres}/${ferretdbDatabase}`;
}

/**
 * Starts the private cluster in `.stack/data/postgres`, creating it first when it is missing,
 * then makes sure FerretDB's database exists with its settings and index twin trigger.
 * @throws StackError naming the log file when PostgreSQL is missing, cannot start or its port is busy.
 */
export async function startPostgres(
  config: StackConfig,
  log: (message: string) => void,
): Promise<StartOutcome> {
  const running = await readRunningPostmaster(config);
  let outcome: StartOutcome = 'reused';

  if (running === undefined) {
    await checkPostgresBinaries(config);
    await assertPortFree('postgres', config.ports.postgres, 'PROFILE_JOBS_POSTGRES_PORT');
    await ensureCluster(config, log);
    await writeClusterSettings(config);

    await runAsPostgres(config, 'pg_ctl', [
      'start',
      '-D',
      postgresDataDir(config),
      '-l',
      postgresLogFile(config),
      '-w',
      '-t',
      String(pgCtlTimeoutSeconds),
      '-s',
    ]).catch(async (error: unknown) => {
      throw new StackError(
        `postgres did not start; see ${postgresLogFile(config)}\n${await readLogTail(postgresLogFile(config))}`,
        'postgres',
        postgresLogFile(config),
        { cause: error },
      );
    });
    outcome = 'started';
  } else if (running.port !== config.ports.postgres) {
    throw new StackError(
      `postgres already runs on port ${running.port} (pid ${running.pid}) but PROFILE_JOBS_POSTGRES_PORT is ${config.ports.postgres}; run "npm run stack:stop" first`,
      'postgres',
    );
  }

  await prepareFerretdbDatabase(config);
  return outcome;
}

/** Stops the cluster with `pg_ctl stop -m fast`, which rolls back open transactions. */
export async function stopPostgres(config: StackConfig): Promise<StopOutcome> {
  if ((await readRunningPostmaster(config)) === undefined) return 'not running';

  await runAsPostgres(config, 'pg_ctl', [
    'stop',
    '-D',
    postgresDataDir(config),
    '-m',
    'fast',
    '-w',
    '-t',
    String(pgCtlTimeoutSeconds),
    '-s',
  ]);
  return 'stopped';
}

export async function postgresStatus(config: StackConfig): Promise<ServiceStatus> {
  const running = await readRunningPostmaster(config);
  if (running === undefined) return { service: 'postgres', running: false };

  return {
    service: 'postgres',
    running: true,
    pid: running.pid,
    address: postgresUrl({ ...config, ports: { ...config.ports, postgres: running.port } }),
    responding: await isPostgresReady(config, running.port),
  };
}

/**
 * Reads `postmaster.pid`, which PostgreSQL keeps in its data folder while it runs: the pid on
 * the first line and the port on the fourth. Returns undefined when no postmaster of this
 * cluster is alive.
 */
async function readRunningPostmaster(
  config: StackConfig,
): Promise<{ pid: number; port: number } | undefined> {
  const text = await readFile(path.join(postgresDataDir(config), 'postmaster.pid'), 'utf8').catch(
    () => undefined,
  );
  if (text === undefined) return undefined;

  const lines = text.split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (!Number.isInteger(pid) || !(await isOurProcess(pid, 'postgres'))) return undefined;

  return { pid, port };
}

async function isPostgresReady(config: StackConfig, port: number): Promise<boolean> {
  try {
    await execFileAsync(path.join(config.postgresBinDir, 'pg_isready'), [
      '-q',
      '-h',
      config.host,
      '-p',
      String(port),
      '-U',
      'postgres',
      '-d',
      'postgres',
    ]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates FerretDB's database when it is missing and (re)installs its settings and the index
 * twin trigger. Every step is idempotent, so it runs at every start.
 */
async function prepareFerretdbDatabase(config: StackConfig): Promise<void> {
  const postgresBinDir = config.postgresBinDir;
  const maintenanceUrl = `postgres://postgres@${config.host}:${config.ports.postgres}/postgres`;

  const exists = await runPsql({
    url: maintenanceUrl,
    sql: `SELECT 1 FROM pg_database WHERE datname = '${ferretdbDatabase}'`,
    postgresBinDir,
  });
  if (exists.trim() !== '1') {
    await runPsql({ url: maintenanceUrl, sql: `CREATE DATABASE ${ferretdbDatabase}`, postgresBinDir });
  }

  // FerretDB sends field names as bind parameters of prepared statements. PostgreSQL may switch
  // to a generic plan from the sixth execution on. Such a plan cannot see the field name, so it
  // cannot pick the GIN twin of that field's index, but a custom plan can.
  await runPsql({
    url: maintenanceUrl,
    sql: `ALTER DATABASE ${ferretdbDatabase} SET plan_cache_mode = force_custom_plan`,
    postgresBinDir,
  });
  await runPsql({ url: postgresUrl(config), file: indexTwinsScript, postgresBinDir });
}
