/**
 * Vitest global setup: starts the embedded stack before any test file runs, building the server
 * binaries that are missing, and at the end stops only the servers that it started. The stack
 * is PostgreSQL, FerretDB and Temporal, plus the S3, GCS and SFTP servers of the source tests.
 * Servers that were already running (`npm run stack:start`) are reused and left running, which
 * saves their start-up time on every run.
 *
 * Tests read the addresses in either of two ways:
 * - `inject('mongoUrl')`, `inject('temporalAddress')`, `inject('temporalNamespace')`,
 *   `inject('temporalUiUrl')`, `inject('postgresUrl')`, `inject('fileServers')` from `vitest`
 *   (typed below);
 * - the environment variables PROFILE_JOBS_MONGO_URL (FerretDB with the database
 *   `profile_jobs_test`) and PROFILE_JOBS_TEMPORAL_ADDRESS, which `readSettings` reads.
 *
 * Vitest 4 applies no timeout to a global setup, so a cold build (several minutes) can finish.
 */
import type { TestProject } from 'vitest/node';

import { startStack, stopStack } from '../stack/stack.js';
import type { StackInfo } from '../stack/stack.js';

/** Addresses and logins of the servers that the source tests read files from. */
export interface FileServers {
  s3: NonNullable<StackInfo['s3']>;
  gcs: NonNullable<StackInfo['gcs']>;
  sftp: NonNullable<StackInfo['sftp']>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** MongoDB connection string of FerretDB, without a database name. */
    mongoUrl: string;
    /** gRPC address (host:port) of the Temporal dev server. */
    temporalAddress: string;
    temporalNamespace: string;
    temporalUiUrl: string;
    /** PostgreSQL URL of the database that FerretDB stores its data in. */
    postgresUrl: string;
    fileServers: FileServers;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = await startStack({ services: ['postgres', 'ferretdb', 'temporal', 's3', 'gcs', 'sftp'] });
  if (stack.s3 === undefined || stack.gcs === undefined || stack.sftp === undefined) {
    throw new Error('the stack started without the file servers that were requested');
  }

  project.provide('mongoUrl', stack.mongoUrl);
  project.provide('temporalAddress', stack.temporalAddress);
  project.provide('temporalNamespace', stack.temporalNamespace);
  project.provide('temporalUiUrl', stack.temporalUiUrl);
  project.provide('postgresUrl', stack.postgresUrl);
  project.provide('fileServers', { s3: stack.s3, gcs: stack.gcs, sftp: stack.sftp });

  // Test workers are forked after this setup and inherit these variables.
  process.env.PROFILE_JOBS_MONGO_URL = `${stack.mongoUrl}profile_jobs_test`;
  process.env.PROFILE_JOBS_TEMPORAL_ADDRESS = stack.temporalAddress;

  return async () => {
    if (stack.started.length > 0) await stopStack({ services: stack.started });
  };
}
