import { mkdir } from 'node:fs/promises';

import { defaultServices, readStackConfig, type StackConfig, type StackServiceName } from './config.js';
import { ferretdbStatus, mongoUrl, startFerretdb, stopFerretdb } from './ferretdb.js';
import {
  gcsEndpoint,
  gcsStatus,
  s3Credentials,
  s3Endpoint,
  s3Status,
  startGcs,
  startS3,
  stopGcs,
  stopS3,
} from './object-stores.js';
import { withStackLock } from './lock.js';
import { postgresStatus, postgresUrl, startPostgres, stopPostgres } from './postgres.js';
import {
  sftpAddress,
  sftpCredentials,
  sftpServerPaths,
  sftpStatus,
  startSftpServer,
  stopSftpServer,
} from './sftp-server.js';
import type { ServiceStatus, StartOutcome, StopOutcome } from './service.js';
import {
  startTemporal,
  stopTemporal,
  temporalAddress,
  temporalNamespace,
  temporalStatus,
  temporalUiUrl,
} from './temporal.js';

export type { StackServiceName } from './config.js';
export { StackError } from './errors.js';

export interface StartStackOptions {
  /**
   * Servers to start; `postgres`, `ferretdb` and `temporal` unless set. `ferretdb` brings
   * `postgres` along. `s3` (versitygw), `gcs` (fake-gcs-server) and `sftp` (Debian's OpenSSH
   * sshd, which needs root) are only built and started when listed.
   */
  services?: readonly StackServiceName[];
  /** Receives one line per build, start and reuse. Lines go to stdout unless set. */
  log?: (message: string) => void;
  /** Environment to read ports and folders from; `process.env` unless set. */
  env?: NodeJS.ProcessEnv;
}

/** Addresses of the running stack. Every server listens on 127.0.0.1 only. */
export interface StackInfo {
  /** MongoDB connection string of FerretDB, without a database name. */
  mongoUrl: string;
  /** gRPC address (host:port) of the Temporal frontend. */
  temporalAddress: string;
  temporalNamespace: string;
  temporalUiUrl: string;
  /** PostgreSQL URL of the database that FerretDB stores its data in. */
  postgresUrl: string;
  /** S3 endpoint and credentials of versitygw, set when `s3` was requested. */
  s3?: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
  /** Endpoint of fake-gcs-server, set when `gcs` was requested. */
  gcs?: { endpoint: string };
  /**
   * Login of the OpenSSH SFTP server, set when `sftp` was requested. Files written to `filesDir`
   * are served at the same relative path; public keys appended to `authorizedKeysFile` may log in.
   */
  sftp?: {
    host: string;
    port: number;
    username: string;
    password: string;
    filesDir: string;
    authorizedKeysFile: string;
  };
  /** Servers that this call launched. The others were already running and were reused. */
  started: StackServiceName[];
}

const defaultLog = (message: string) => console.log(`[stack] ${message}`);

/**
 * Builds what is missing and starts the requested servers, reusing any that already run and
 * respond. PostgreSQL then FerretDB start in one sequence while Temporal starts beside them.
 * Servers keep running after this process exits, until `stopStack` stops them.
 * @throws StackError naming the server and its log file when a build or a start fails. The
 *   servers started before the failure keep running, and the next start reuses them.
 */
export async function startStack(options: StartStackOptions = {}): Promise<StackInfo> {
  const config = readStackConfig(options.env);
  const log = options.log ?? defaultLog;
  const services = withDependencies(options.services ?? defaultServices);

  await mkdir(config.paths.dataDir, { recursive: true });
  await mkdir(config.paths.logDir, { recursive: true });
  return withStackLock(config.paths.dataDir, log, () => startServices(config, services, log));
}

async function startServices(
  config: StackConfig,
  services: StackServiceName[],
  log: (message: string) => void,
): Promise<StackInfo> {
  const started: StackServiceName[] = [];
  const run = async (service: StackServiceName, start: () => Promise<StartOutcome>, address: string) => {
    if (!services.includes(service)) return;

    const outcome = await start();
    if (outcome === 'started') started.push(service);
    log(`${service} ${outcome === 'started' ? 'started' : 'already running, reused'} at ${address}`);
  };

  // allSettled, so that one failure does not leave another start running unawaited.
  const results = await Promise.allSettled([
    (async () => {
      await run('postgres', () => startPostgres(config, log), postgresUrl(config));
      await run('ferretdb', () => startFerretdb(config, log), mongoUrl(config));
    })(),
    run(
      'temporal',
      () => startTemporal(config, log),
      `${temporalAddress(config)}, UI ${temporalUiUrl(config)}`,
    ),
    run('s3', () => startS3(config, log), s3Endpoint(config)),
    run('gcs', () => startGcs(config, log), gcsEndpoint(config)),
    run('sftp', () => startSftpServer(config), sftpAddress(config)),
  ]);
  const failures = results.filter((result) => result.status === 'rejected').map((result) => result.reason);
  if (failures.length > 0) {
    // Only one error can be thrown, so the others go to the log.
    for (const other of failures.slice(1)) log(other instanceof Error ? other.message : String(other));
    throw failures[0];
  }

  return {
    ...describeStack(config),
    ...(services.includes('s3') && { s3: { endpoint: s3Endpoint(config), ...s3Credentials } }),
    ...(services.includes('gcs') && { gcs: { endpoint: gcsEndpoint(config) } }),
    ...(services.includes('sftp') && {
      sftp: {
        host: config.host,
        port: config.ports.sftp,
        ...sftpCredentials,
        filesDir: sftpServerPaths(config).filesDir,
        authorizedKeysFile: sftpServerPaths(config).authorizedKeysFile,
      },
    }),
    started,
  };
}

export interface StopStackOptions {
  /** Servers to stop; all of them unless set. */
  services?: readonly StackServiceName[];
  log?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
}

/**
 * Stops the requested servers in the reverse order of their start: Temporal, the object stores
 * and the SFTP server, then FerretDB, then PostgreSQL. A server that does not run is skipped.
 */
export async function stopStack(options: StopStackOptions = {}): Promise<void> {
  const config = readStackConfig(options.env);
  const log = options.log ?? defaultLog;
  const services = options.services ?? ['postgres', 'ferretdb', 'temporal', 's3', 'gcs', 'sftp'];

  await mkdir(config.paths.dataDir, { recursive: true });
  await withStackLock(config.paths.dataDir, log, () => stopServices(config, services, log));
}

async function stopServices(
  config: StackConfig,
  services: readonly StackServiceName[],
  log: (message: string) => void,
): Promise<void> {
  const stops: [StackServiceName, () => Promise<StopOutcome>][] = [
    ['temporal', () => stopTemporal(config)],
    ['s3', () => stopS3(config)],
    ['gcs', () => stopGcs(config)],
    ['sftp', () => stopSftpServer(config)],
    ['ferretdb', () => stopFerretdb(config)],
    ['postgres', () => stopPostgres(config)],
  ];

  for (const [service, stop] of stops) {
    if (!services.includes(service)) continue;

    const outcome = await stop();
    if (outcome === 'stopped') log(`${service} stopped`);
    if (outcome === 'killed') log(`${service} did not stop within 20 s of SIGTERM and was killed`);
  }
}

/** Reports, for each server, whether it runs and responds. */
export async function stackStatus(options: { env?: NodeJS.ProcessEnv } = {}): Promise<ServiceStatus[]> {
  const config = readStackConfig(options.env);
  return Promise.all([
    postgresStatus(config),
    ferretdbStatus(config),
    temporalStatus(config),
    s3Status(config),
    gcsStatus(config),
    sftpStatus(config),
  ]);
}

/** Addresses of the default servers for a configuration, whether or not they run. */
export function describeStack(config: StackConfig = readStackConfig()): Omit<StackInfo, 'started'> {
  return {
    mongoUrl: mongoUrl(config),
    temporalAddress: temporalAddress(config),
    temporalNamespace,
    temporalUiUrl: temporalUiUrl(config),
    postgresUrl: postgresUrl(config),
  };
}

function withDependencies(services: readonly StackServiceName[]): StackServiceName[] {
  const needed = new Set(services);
  if (needed.has('ferretdb')) needed.add('postgres');
  return [...needed];
}
