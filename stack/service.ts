import path from 'node:path';

import type { StackConfig, StackServiceName } from './config.js';
import { StackError } from './errors.js';
import {
  assertPortFree,
  isOurProcess,
  readPidFile,
  removePidFile,
  spawnDetached,
  stopProcess,
  waitUntilReady,
} from './processes.js';

/** Whether a start call launched the server or found it already running and responding. */
export type StartOutcome = 'started' | 'reused';
export type StopOutcome = 'stopped' | 'killed' | 'not running';

export interface ServiceStatus {
  service: StackServiceName;
  running: boolean;
  pid?: number;
  /** Address that clients use, such as a connection URL. */
  address?: string;
  /** Whether the server responded to a readiness probe just now. */
  responding?: boolean;
}

/** A server that the stack runs as one detached process with a pid file in `.stack/data`. */
export interface DetachedServiceSpec {
  service: StackServiceName;
  /** Text that the process's command line contains, used to recognise a stale pid file. */
  programName: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  port: number;
  /** Environment variable that moves `port`, named in the "port is busy" message. */
  portVariable: string;
  /** Other fixed ports the server binds, checked before it is launched. */
  otherPorts?: { port: number; portVariable: string }[];
  /** Address shown in messages and in `status`. */
  address: string;
  /** Resolves true when the server responds to real requests, not just TCP connections. */
  probe: () => Promise<boolean>;
  startTimeoutMs: number;
}

/** Time a server gets to exit after SIGTERM before it is killed, in milliseconds. */
const stopTimeoutMs = 20_000;

export function pidFileOf(config: StackConfig, service: StackServiceName): string {
  return path.join(config.paths.dataDir, `${service}.pid`);
}

export function logFileOf(config: StackConfig, service: StackServiceName): string {
  return path.join(config.paths.logDir, `${service}.log`);
}

/**
 * Starts a detached server unless the one recorded in its pid file is alive, and waits until it
 * responds either way.
 * @throws StackError naming the server and its log file when it exits, does not respond in time,
 *   or its port is taken by another program.
 */
export async function startDetachedService(
  config: StackConfig,
  spec: DetachedServiceSpec,
): Promise<StartOutcome> {
  const pidFile = pidFileOf(config, spec.service);
  const logFile = logFileOf(config, spec.service);
  const pid = await readPidFile(pidFile);

  if (pid !== undefined && (await isOurProcess(pid, spec.programName))) {
    // The server may still be starting, for example when another process launched it a moment ago.
    await waitUntilReady({
      service: spec.service,
      logFile,
      timeoutMs: spec.startTimeoutMs,
      probe: spec.probe,
    });
    return 'reused';
  }
  if (pid !== undefined) await removePidFile(pidFile);

  for (const { port, portVariable } of [spec, ...(spec.otherPorts ?? [])]) {
    await assertPortFree(spec.service, port, portVariable);
  }
  const launched = await spawnDetached({
    command: spec.command,
    args: spec.args,
    env: spec.env,
    logFile,
    pidFile,
    cwd: config.paths.dataDir,
  }).catch((error: unknown) => {
    throw new StackError(`${spec.service} could not be launched: ${String(error)}`, spec.service, logFile, {
      cause: error,
    });
  });

  await waitUntilReady({
    service: spec.service,
    logFile,
    timeoutMs: spec.startTimeoutMs,
    probe: spec.probe,
    launched,
  });
  return 'started';
}

/** Stops a detached server with SIGTERM (SIGKILL after 20 s) and removes its pid file. */
export async function stopDetachedService(
  config: StackConfig,
  service: StackServiceName,
  programName: string,
): Promise<StopOutcome> {
  const pidFile = pidFileOf(config, service);
  const pid = await readPidFile(pidFile);

  if (pid === undefined || !(await isOurProcess(pid, programName))) {
    await removePidFile(pidFile);
    return 'not running';
  }

  const exited = await stopProcess(pid, stopTimeoutMs);
  await removePidFile(pidFile);
  return exited ? 'stopped' : 'killed';
}

export async function detachedServiceStatus(
  config: StackConfig,
  spec: Pick<DetachedServiceSpec, 'service' | 'programName' | 'address' | 'probe'>,
): Promise<ServiceStatus> {
  const pid = await readPidFile(pidFileOf(config, spec.service));
  if (pid === undefined || !(await isOurProcess(pid, spec.programName))) {
    return { service: spec.service, running: false };
  }

  const responding = await spec.probe().catch(() => false);
  return { service: spec.service, running: true, pid, address: spec.address, responding };
}
