import path from 'node:path';

import { MongoClient } from 'mongodb';

import type { StackConfig } from './config.js';
import { ensureGoBinary, ferretdbBinary } from './go-build.js';
import { postgresUrl } from './postgres.js';
import type { DetachedServiceSpec, ServiceStatus, StartOutcome, StopOutcome } from './service.js';
import { detachedServiceStatus, startDetachedService, stopDetachedService } from './service.js';

/** Time FerretDB gets to respond to a ping after it is launched, in milliseconds. */
const startTimeoutMs = 30_000;

/** MongoDB connection string of the FerretDB server, without a database name. */
export function mongoUrl(config: StackConfig): string {
  return `mongodb://${config.host}:${config.ports.ferretdb}/`;
}

function ferretdbSpec(config: StackConfig, binaryPath: string): DetachedServiceSpec {
  return {
    service: 'ferretdb',
    programName: binaryPath,
    command: binaryPath,
    // FerretDB logs every SQL statement at info level and every failed command at warn level,
    // including the endSessions that the Node.js driver sends on close (FerretDB 1.24 does not
    // implement it). At error level it still logs failed SQL, such as a duplicate key, with
    // the first bytes of the document.
    args: [
      '-listen-addr',
      `${config.host}:${config.ports.ferretdb}`,
      '-postgresql-url',
      postgresUrl(config),
      '-log-level',
      'error',
    ],
    port: config.ports.ferretdb,
    portVariable: 'PROFILE_JOBS_FERRETDB_PORT',
    address: mongoUrl(config),
    probe: () => pingMongo(mongoUrl(config)),
    startTimeoutMs,
  };
}

/**
 * Builds FerretDB when its binary is missing and starts it on the stack's PostgreSQL database,
 * which must already run.
 */
export async function startFerretdb(
  config: StackConfig,
  log: (message: string) => void,
): Promise<StartOutcome> {
  const binaryPath = await ensureGoBinary(ferretdbBinary, config.paths, log);
  return startDetachedService(config, ferretdbSpec(config, binaryPath));
}

export function stopFerretdb(config: StackConfig): Promise<StopOutcome> {
  return stopDetachedService(config, 'ferretdb', path.join(config.paths.binDir, ferretdbBinary.binary));
}

export function ferretdbStatus(config: StackConfig): Promise<ServiceStatus> {
  return detachedServiceStatus(
    config,
    ferretdbSpec(config, path.join(config.paths.binDir, ferretdbBinary.binary)),
  );
}

/** Sends `ping` to the admin database and returns whether the reply is ok. */
async function pingMongo(url: string): Promise<boolean> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 });
  try {
    const reply = await client.db('admin').command({ ping: 1 });
    return reply.ok === 1;
  } finally {
    await client.close();
  }
}
