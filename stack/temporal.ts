import path from 'node:path';

import { Connection } from '@temporalio/client';

import type { StackConfig } from './config.js';
import { ensureGoBinary, temporalBinary } from './go-build.js';
import type { DetachedServiceSpec, ServiceStatus, StartOutcome, StopOutcome } from './service.js';
import { detachedServiceStatus, startDetachedService, stopDetachedService } from './service.js';

/** Namespace that the dev server creates at start and that the project uses by default. */
export const temporalNamespace = 'default';

/** Search attributes registered at every start; the workflows set them on each job. */
const searchAttributes = ['DefinitionId=Keyword', 'JobType=Keyword', 'JobStatus=Keyword'];

/** Time the dev server gets to serve its namespace after it is launched, in milliseconds. */
const startTimeoutMs = 60_000;

/** gRPC address (host:port) of the Temporal frontend. */
export function temporalAddress(config: StackConfig): string {
  return `${config.host}:${config.ports.temporal}`;
}

export function temporalUiUrl(config: StackConfig): string {
  return `http://${config.host}:${config.ports.temporalUi}`;
}

function temporalSpec(config: StackConfig, binaryPath: string): DetachedServiceSpec {
  return {
    service: 'temporal',
    programName: binaryPath,
    command: binaryPath,
    // The dev server also opens its HTTP API, metrics and internal service ports on free ports
    // of the --ip address, so nothing listens beyond 127.0.0.1.
    args: [
      'server',
      'start-dev',
      '--ip',
      config.host,
      '--port',
      String(config.ports.temporal),
      '--ui-port',
      String(config.ports.temporalUi),
      '--db-filename',
      path.join(config.paths.dataDir, 'temporal.db'),
      ...searchAttributes.flatMap((attribute) => ['--search-attribute', attribute]),
      '--log-level',
      'warn',
    ],
    port: config.ports.temporal,
    portVariable: 'PROFILE_JOBS_TEMPORAL_PORT',
    otherPorts: [{ port: config.ports.temporalUi, portVariable: 'PROFILE_JOBS_TEMPORAL_UI_PORT' }],
    address: temporalAddress(config),
    probe: () => isNamespaceServed(temporalAddress(config)),
    startTimeoutMs,
  };
}

/** Builds the Temporal CLI when its binary is missing and starts its dev server. */
export async function startTemporal(
  config: StackConfig,
  log: (message: string) => void,
): Promise<StartOutcome> {
  const binaryPath = await ensureGoBinary(temporalBinary, config.paths, log);
  return startDetachedService(config, temporalSpec(config, binaryPath));
}

export function stopTemporal(config: StackConfig): Promise<StopOutcome> {
  return stopDetachedService(config, 'temporal', path.join(config.paths.binDir, temporalBinary.binary));
}

export function temporalStatus(config: StackConfig): Promise<ServiceStatus> {
  return detachedServiceStatus(
    config,
    temporalSpec(config, path.join(config.paths.binDir, temporalBinary.binary)),
  );
}

/**
 * Tells whether the frontend responds to gRPC and serves the default namespace, which clients
 * and workers use. Checking the namespace as well means the server is ready for them, not only
 * listening.
 */
async function isNamespaceServed(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    await connection.workflowService.getSystemInfo({});
    await connection.workflowService.describeNamespace({ namespace: temporalNamespace });
    return true;
  } finally {
    await connection.close();
  }
}
