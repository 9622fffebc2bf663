import { execFile } from 'node:child_process';
import { access, chown, constants, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

import { displayPath, type StackConfig } from './config.js';
import { StackError } from './errors.js';

const execFileAsync = promisify(execFile);

/** PostgreSQL major version whose binaries the stack expects. */
const postgresMajorVersion = '15';

/** Longest Unix socket path that Linux accepts (sun_path is 108 bytes with its final NUL). */
const maxSocketPathLength = 107;

export function postgresDataDir(config: StackConfig): string {
  return path.join(config.paths.dataDir, 'postgres');
}

export function postgresLogFile(config: StackConfig): string {
  return path.join(config.paths.logDir, 'postgres.log');
}

export async function checkPostgresBinaries(config: StackConfig): Promise<void> {
  for (const program of ['initdb', 'pg_ctl', 'pg_isready', 'psql']) {
    try {
      await access(path.join(config.postgresBinDir, program));
    } catch {
      throw new StackError(
        `PostgreSQL ${postgresMajorVersion} server programs not found: ${program} is missing from ${config.postgresBinDir}. ` +
          `Install them with "apt-get install -y postgresql-${postgresMajorVersion}" (or run stack/install-system-packages.sh), ` +
          'or set PROFILE_JOBS_POSTGRES_BIN to the folder that contains initdb and pg_ctl.',
        'postgres',
      );
    }
  }
}

/**
 * Creates the cluster with `initdb` unless it exists: UTF8 with the C locale (FerretDB accepts
 * only UTF8 and a few locales) and trust authentication, which the server restricts to
 * loopback because it listens on 127.0.0.1 only.
 */
export async function ensureCluster(config: StackConfig, log: (message: string) => void): Promise<void> {
  const dataDir = postgresDataDir(config);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await mkdir(config.paths.logDir, { recursive: true });
  await writeFile(postgresLogFile(config), '', { flag: 'a' });
  await giveToPostgresUser(config, [dataDir, postgresLogFile(config)]);

  const version = await readFile(path.join(dataDir, 'PG_VERSION'), 'utf8').catch(() => undefined);
  if (version !== undefined) {
    if (version.trim() !== postgresMajorVersion) {
      throw new StackError(
        `the cluster in ${dataDir} was made by PostgreSQL ${version.trim()}, not ${postgresMajorVersion}; delete that folder to make a new one`,
        'postgres',
      );
    }
    return;
  }

  // initdb only works in an empty folder. Without PG_VERSION, the folder contains what an
  // interrupted initdb left, and no data.
  for (const entry of await readdir(dataDir)) {
    await rm(path.join(dataDir, entry), { recursive: true, force: true });
  }

  log(`creating a PostgreSQL ${postgresMajorVersion} cluster in ${displayPath(config.paths.root, dataDir)}`);
  await runAsPostgres(config, 'initdb', [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C',
    '--no-instructions',
  ]);

  await writeFile(path.join(dataDir, 'postgresql.conf'), "\ninclude_if_exists = 'profile-jobs.conf'\n", {
    flag: 'a',
  });
}

/**
 * Writes the settings of the stack into `profile-jobs.conf`, which `postgresql.conf` includes.
 * It is rewritten at every start, so a changed port variable takes effect on the next start.
 */
export async function writeClusterSettings(config: StackConfig): Promise<void> {
  const dataDir = postgresDataDir(config);
  const socketPath = path.join(dataDir, `.s.PGSQL.${config.ports.postgres}`);
  // Unix sockets are only a convenience for psql by hand, because every client of the stack uses TCP.
  const socketDirectory = socketPath.length <= maxSocketPathLength ? dataDir : '';

  const settings = [
    '# Written by stack/postgres.ts at every start; edits here are lost.',
    `listen_addresses = '${config.host}'`,
    `port = ${config.ports.postgres}`,
    `unix_socket_directories = '${socketDirectory.replaceAll("'", "''")}'`,
    '',
  ].join('\n');
  await writeFile(path.join(dataDir, 'profile-jobs.conf'), settings, { mode: 0o644 });
}

/**
 * Runs a PostgreSQL program as the `postgres` system user when this process is root, because
 * PostgreSQL refuses to run as root. Other users run it as themselves.
 */
export async function runAsPostgres(config: StackConfig, program: string, args: string[]): Promise<string> {
  const programPath = path.join(config.postgresBinDir, program);
  const [command, commandArgs] = isRoot()
    ? [await findRunuser(), ['-u', 'postgres', '--', programPath, ...args]]
    : [programPath, args];

  try {
    // The postgres user can always enter the data folder, but maybe not root's current folder,
    // and pg_ctl fails in a folder that it cannot enter.
    const { stdout } = await execFileAsync(command, commandArgs, { cwd: postgresDataDir(config) });
    return stdout;
  } catch (error) {
    const output = `${(error as { stderr?: string }).stderr ?? ''}${(error as { stdout?: string }).stdout ?? ''}`;
    throw new StackError(`${program} failed: ${output.trim() || String(error)}`, 'postgres', undefined, {
      cause: error,
    });
  }
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * Finds util-linux's `runuser` by its path, because root's PATH may lack /usr/sbin.
 * @throws StackError when it is missing.
 */
async function findRunuser(): Promise<string> {
  for (const candidate of ['/usr/sbin/runuser', '/sbin/runuser']) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Try the next folder.
    }
  }
  throw new StackError(
    'runuser not found in /usr/sbin or /sbin: install util-linux, which the stack needs to run PostgreSQL as the postgres user when it runs as root',
    'postgres',
  );
}

/**
 * Hands the data folder and log file to the `postgres` user when running as root.
 * @throws StackError naming the first folder that the postgres user cannot enter.
 */
async function giveToPostgresUser(config: StackConfig, files: string[]): Promise<void> {
  if (!isRoot()) return;

  const ids = await execFileAsync('id', ['postgres']).catch(() => undefined);
  const match = ids && /uid=(\d+).*?gid=(\d+)/.exec(ids.stdout);
  if (!match) {
    throw new StackError(
      `the postgres system user is missing; install PostgreSQL with "apt-get install -y postgresql-${postgresMajorVersion}"`,
      'postgres',
    );
  }
  for (const file of files) {
    await chown(file, Number(match[1]), Number(match[2]));
  }

  const dataDir = postgresDataDir(config);
  if (await canPostgresUser('-w', dataDir)) return;

  let blocked = dataDir;
  const parts = dataDir.split(path.sep).filter((part) => part !== '');
  for (let depth = 1; depth <= parts.length; depth += 1) {
    const folder = path.sep + parts.slice(0, depth).join(path.sep);
    if (!(await canPostgresUser('-x', folder))) {
      blocked = folder;
      break;
    }
  }
  throw new StackError(
    `PostgreSQL runs as the postgres system user, which cannot enter ${blocked}. ` +
      `Allow it with "chmod o+x ${blocked}" or set PROFILE_JOBS_STACK_DIR to a folder that it can reach.`,
    'postgres',
  );
}

async function canPostgresUser(testFlag: '-w' | '-x', file: string): Promise<boolean> {
  try {
    await execFileAsync(await findRunuser(), ['-u', 'postgres', '--', '/usr/bin/test', testFlag, file]);
    return true;
  } catch (error) {
    // `test` exits with 1 when access is denied. Anything else (runuser missing, no such user)
    // is a different problem, which a message about folder permissions would hide.
    if ((error as { code?: unknown }).code === 1) return false;
    throw error;
  }
}
