import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import type { StackConfig } from './config.js';
import { ensureGoBinary, fakeGcsServerBinary, versitygwBinary } from './go-build.js';
import type { DetachedServiceSpec, ServiceStatus, StartOutcome, StopOutcome } from './service.js';
import { detachedServiceStatus, startDetachedService, stopDetachedService } from './service.js';

/**
 * Root credentials of the local S3 server. They guard nothing: the server only listens on
 * 127.0.0.1 and contains test files.
 */
export const s3Credentials = {
  region: 'us-east-1',
  accessKeyId: 'profile-jobs-local',
  secretAccessKey: 'profile-jobs-local-secret',
} as const;

/** Time an object store gets to respond to HTTP after it is launched, in milliseconds. */
const startTimeoutMs = 20_000;

export function s3Endpoint(config: StackConfig): string {
  return `http://${config.host}:${config.ports.s3}`;
}

export function gcsEndpoint(config: StackConfig): string {
  return `http://${config.host}:${config.ports.gcs}`;
}

/**
 * versitygw with its posix backend: each folder under `.stack/data/s3/buckets` is a bucket, and
 * object metadata lives in a sidecar folder instead of extended attributes, which some file
 * systems lack.
 */
function s3Spec(config: StackConfig, binaryPath: string): DetachedServiceSpec {
  const root = path.join(config.paths.dataDir, 's3');
  return {
    service: 's3',
    programName: binaryPath,
    command: binaryPath,
    args: [
      '--port',
      `${config.host}:${config.ports.s3}`,
      '--quiet',
      'posix',
      '--sidecar',
      path.join(root, 'metadata'),
      path.join(root, 'buckets'),
    ],
    env: {
      ...process.env,
      ROOT_ACCESS_KEY: s3Credentials.accessKeyId,
      ROOT_SECRET_KEY: s3Credentials.secretAccessKey,
      VGW_REGION: s3Credentials.region,
    },
    port: config.ports.s3,
    portVariable: 'PROFILE_JOBS_S3_PORT',
    address: s3Endpoint(config),
    // Any HTTP reply counts: an unsigned request gets an S3 error document.
    probe: () => respondsToHttp(`${s3Endpoint(config)}/`),
    startTimeoutMs,
  };
}

/**
 * fake-gcs-server over plain HTTP with its memory backend, so buckets and objects are lost when
 * it stops. The public host and external URL make the download and upload links that it
 * returns point back at it instead of at storage.googleapis.com.
 */
function gcsSpec(config: StackConfig, binaryPath: string): DetachedServiceSpec {
  return {
    service: 'gcs',
    programName: binaryPath,
    command: binaryPath,
    args: [
      '-scheme',
      'http',
      '-host',
      config.host,
      '-port',
      String(config.ports.gcs),
      '-backend',
      'memory',
      '-public-host',
      `${config.host}:${config.ports.gcs}`,
      '-external-url',
      gcsEndpoint(config),
      '-log-level',
      'warn',
    ],
    port: config.ports.gcs,
    portVariable: 'PROFILE_JOBS_GCS_PORT',
    address: gcsEndpoint(config),
    probe: async () =>
      (await fetch(`${gcsEndpoint(config)}/storage/v1/b`, { signal: AbortSignal.timeout(1000) })).ok,
    startTimeoutMs,
  };
}

/** Builds versitygw when its binary is missing and starts it. */
export async function startS3(config: StackConfig, log: (message: string) => void): Promise<StartOutcome> {
  const binaryPath = await ensureGoBinary(versitygwBinary, config.paths, log);
  await mkdir(path.join(config.paths.dataDir, 's3', 'metadata'), { recursive: true });
  await mkdir(path.join(config.paths.dataDir, 's3', 'buckets'), { recursive: true });
  return startDetachedService(config, s3Spec(config, binaryPath));
}

/** Builds fake-gcs-server when its binary is missing and starts it. */
export async function startGcs(config: StackConfig, log: (message: string) => void): Promise<StartOutcome> {
  const binaryPath = await ensureGoBinary(fakeGcsServerBinary, config.paths, log);
  return startDetachedService(config, gcsSpec(config, binaryPath));
}

export function stopS3(config: StackConfig): Promise<StopOutcome> {
  return stopDetachedService(config, 's3', path.join(config.paths.binDir, versitygwBinary.binary));
}

export function stopGcs(config: StackConfig): Promise<StopOutcome> {
  return stopDetachedService(config, 'gcs', path.join(config.paths.binDir, fakeGcsServerBinary.binary));
}

export function s3Status(config: StackConfig): Promise<ServiceStatus> {
  return detachedServiceStatus(
    config,
    s3Spec(config, path.join(config.paths.binDir, versitygwBinary.binary)),
  );
}

export function gcsStatus(config: StackConfig): Promise<ServiceStatus> {
  return detachedServiceStatus(
    config,
    gcsSpec(config, path.join(config.paths.binDir, fakeGcsServerBinary.binary)),
  );
}

async function respondsToHttp(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
  await response.body?.cancel();
  return true;
}
