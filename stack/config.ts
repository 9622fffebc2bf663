import { fileURLToPath } from 'node:url';
import path from 'node:path';

import { StackError } from './errors.js';

/** Servers that the embedded stack can run. */
export const stackServiceNames = ['postgres', 'ferretdb', 'temporal', 's3', 'gcs', 'sftp'] as const;
export type StackServiceName = (typeof stackServiceNames)[number];

/** Servers started when the caller names none: the ones every test and the worker need. */
export const defaultServices: readonly StackServiceName[] = ['postgres', 'ferretdb', 'temporal'];

/** Folders of the embedded stack. All of them are created on demand and ignored by git. */
export interface StackPaths {
  /** Repository root, which contains `stack/`. */
  root: string;
  /** Parent of the three folders below: `<root>/.stack` unless PROFILE_JOBS_STACK_DIR is set. */
  stackDir: string;
  /** Built server binaries, rebuilt only when missing. */
  binDir: string;
  /** Server data (PostgreSQL cluster, Temporal database, object store folders) and pid files. */
  dataDir: string;
  /** One log file per server and per build. */
  logDir: string;
}

/** TCP ports on 127.0.0.1. */
export interface StackPorts {
  postgres: number;
  ferretdb: number;
  temporal: number;
  temporalUi: number;
  s3: number;
  gcs: number;
  sftp: number;
}

export interface StackConfig {
  paths: StackPaths;
  ports: StackPorts;
  /** Folder that contains PostgreSQL's `initdb`, `pg_ctl`, `pg_isready` and `psql`. */
  postgresBinDir: string;
  /** Only address that any server of the stack binds. */
  host: '127.0.0.1';
}

/**
 * Environment variables that move the stack, with their defaults. The ports are uncommon ones so
 * that the stack can run beside a system PostgreSQL or MongoDB. Temporal keeps its usual ports
 * because its tools expect them.
 */
export const stackEnvironment = {
  PROFILE_JOBS_STACK_DIR: '<repository>/.stack',
  PROFILE_JOBS_POSTGRES_BIN: '/usr/lib/postgresql/15/bin',
  PROFILE_JOBS_POSTGRES_PORT: '54329',
  PROFILE_JOBS_FERRETDB_PORT: '27027',
  PROFILE_JOBS_TEMPORAL_PORT: '7233',
  PROFILE_JOBS_TEMPORAL_UI_PORT: '8233',
  PROFILE_JOBS_S3_PORT: '17070',
  PROFILE_JOBS_GCS_PORT: '14443',
  PROFILE_JOBS_SFTP_PORT: '2222',
} as const;

const repositoryRoot = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

/**
 * Reads the stack configuration from environment variables (see `stackEnvironment`).
 * @throws StackError naming the variable and its value when a port is not a number from 1 to 65535.
 */
export function readStackConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  const stackDir = path.resolve(env.PROFILE_JOBS_STACK_DIR ?? path.join(repositoryRoot, '.stack'));

  return {
    paths: {
      root: repositoryRoot,
      stackDir,
      binDir: path.join(stackDir, 'bin'),
      dataDir: path.join(stackDir, 'data'),
      logDir: path.join(stackDir, 'logs'),
    },
    ports: {
      postgres: readPort(env, 'PROFILE_JOBS_POSTGRES_PORT'),
      ferretdb: readPort(env, 'PROFILE_JOBS_FERRETDB_PORT'),
      temporal: readPort(env, 'PROFILE_JOBS_TEMPORAL_PORT'),
      temporalUi: readPort(env, 'PROFILE_JOBS_TEMPORAL_UI_PORT'),
      s3: readPort(env, 'PROFILE_JOBS_S3_PORT'),
      gcs: readPort(env, 'PROFILE_JOBS_GCS_PORT'),
      sftp: readPort(env, 'PROFILE_JOBS_SFTP_PORT'),
    },
    postgresBinDir: env.PROFILE_JOBS_POSTGRES_BIN ?? stackEnvironment.PROFILE_JOBS_POSTGRES_BIN,
    host: '127.0.0.1',
  };
}

type PortVariable = {
  [K in keyof typeof stackEnvironment]: K extends `${string}_PORT` ? K : never;
}[keyof typeof stackEnvironment];

function readPort(env: NodeJS.ProcessEnv, name: PortVariable): number {
  const text = env[name] ?? stackEnvironment[name];
  const port = Number(text);

  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new StackError(
      `${name} must be a TCP port number from 1 to 65535, got ${JSON.stringify(text)}`,
      'config',
    );
  }

  return port;
}

/**
 * Parses a comma-separated list of service names, such as the value of `--services`.
 * @throws StackError naming the unknown name and the known ones.
 */
export function parseServiceNames(text: string): StackServiceName[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');

  for (const name of names) {
    if (!(stackServiceNames as readonly string[]).includes(name)) {
      throw new StackError(
        `unknown stack service "${name}", expected one of ${stackServiceNames.join(', ')}`,
        'config',
      );
    }
  }

  return names as StackServiceName[];
}

/** Shows a folder relative to the repository when it is inside it, else as an absolute path. */
export function displayPath(root: string, folder: string): string {
  const relative = path.relative(root, folder);
  return relative.startsWith('..') || path.isAbsolute(relative) ? folder : relative;
}
