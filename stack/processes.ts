import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

import { StackError } from './errors.js';

const execFileAsync = promisify(execFile);

/** Line that `spawnDetached` writes into a log file before each start, followed by time and command. */
const startMarker = '\n--- ';

/** Interval between two readiness probes or two liveness checks, in milliseconds. */
const pollIntervalMs = 250;

/** Reads a pid file. Returns undefined when it is missing or contains no number. */
export async function readPidFile(pidFile: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(pidFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }

  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export async function removePidFile(pidFile: string): Promise<void> {
  await rm(pidFile, { force: true });
}

/** Tells whether a process with this pid exists (it may belong to another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Reads the command line of a process from /proc, with arguments separated by spaces.
 * Returns undefined when the process is gone or /proc is not available (outside Linux).
 */
export async function readProcessCommand(pid: number): Promise<string | undefined> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

/**
 * Tells whether the pid is alive and still runs the expected program. A pid file can outlive
 * its server, and after a reboot its pid may belong to an unrelated process.
 */
export async function isOurProcess(pid: number, programName: string): Promise<boolean> {
  if (!isProcessAlive(pid)) return false;

  const command = await readProcessCommand(pid);
  return command === undefined || command.includes(programName);
}

export interface SpawnDetachedOptions {
  command: string;
  args: string[];
  logFile: string;
  pidFile: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

/** A server process launched by this process. */
export interface LaunchedProcess {
  pid: number;
  /** Exit status, such as `exit code 1` or `signal SIGKILL`, or undefined while the process runs. */
  exit: string | undefined;
}

/**
 * Starts a server in its own session, so that it outlives the caller and a Ctrl-C in the
 * caller's terminal does not reach it. Its stdout and stderr are appended to `logFile`.
 */
export async function spawnDetached(options: SpawnDetachedOptions): Promise<LaunchedProcess> {
  const log = openSync(options.logFile, 'a');
  writeSync(log, `${startMarker}${new Date().toISOString()} ${options.command} ${options.args.join(' ')}\n`);

  let child: ChildProcess;
  try {
    child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
  } finally {
    closeSync(log);
  }

  // The listener is attached before any await, so that an exit right after the start is seen.
  const launched: LaunchedProcess = { pid: 0, exit: undefined };
  child.once('exit', (code, signal) => {
    launched.exit = signal === null ? `exit code ${code}` : `signal ${signal}`;
  });

  // spawn reports a missing binary through an 'error' event, so wait for either outcome.
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });

  child.unref();
  launched.pid = child.pid!;
  await writeFile(options.pidFile, `${launched.pid}\n`);
  return launched;
}

export interface WaitUntilReadyOptions {
  service: string;
  logFile: string;
  timeoutMs: number;
  /** Resolves true once the server responds. A rejection counts as "not yet". */
  probe: () => Promise<boolean>;
  /** The server process when this call launched it: an early exit then fails at once. */
  launched?: LaunchedProcess;
}

/**
 * Polls `probe` until it resolves true. A server that this call launched and that does not
 * respond in time is stopped, so that it does not hold its port until someone notices.
 * @throws StackError naming the server and its log file when the process exits or time runs out.
 */
export async function waitUntilReady(options: WaitUntilReadyOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;

  for (;;) {
    if (await options.probe().catch(() => false)) return;

    const exit = options.launched?.exit;
    if (exit !== undefined) {
      throw new StackError(
        `${options.service} stopped during start-up (${exit}); see ${options.logFile}\n${await readLogTail(options.logFile)}`,
        options.service,
        options.logFile,
      );
    }

    if (Date.now() > deadline) {
      const stopped = options.launched ? ' and was stopped' : '';
      if (options.launched) await stopProcess(options.launched.pid, 5000);
      throw new StackError(
        `${options.service} did not respond within ${options.timeoutMs / 1000} s${stopped}; see ${options.logFile}\n${await readLogTail(options.logFile)}`,
        options.service,
        options.logFile,
      );
    }

    await sleep(pollIntervalMs);
  }
}

/**
 * Returns the last lines of a log file, indented, for error messages. Lines written before the
 * last start marker of `spawnDetached` belong to an earlier run and are left out.
 */
export async function readLogTail(logFile: string, lineCount = 15): Promise<string> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  const lastRun = text.slice(Math.max(0, text.lastIndexOf(startMarker)));
  const lines = lastRun.trim().split('\n').slice(-lineCount);
  return lines.map((line) => `    ${line}`).join('\n');
}

/**
 * Sends SIGTERM and waits for the process to exit, then sends SIGKILL if it is still alive
 * after `timeoutMs`. Returns false when it had to be killed.
 */
export async function stopProcess(pid: number, timeoutMs: number): Promise<boolean> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
    throw error;
  }

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return true;
    await sleep(pollIntervalMs);
  }

  try {
    process.kill(pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
  return false;
}

/** Tells whether something accepts TCP connections on 127.0.0.1 at this port. */
export function isPortOpen(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const finish = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };

    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/**
 * Names the process that listens on a TCP port, such as `pid 1234: /usr/bin/temporal server
 * start-dev`, using `ss` from iproute2. Returns undefined when `ss` is missing or does not show
 * the owner (another user's process, seen without root).
 */
export async function describePortOwner(port: number): Promise<string | undefined> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync('ss', ['-Hltnp', `sport = :${port}`]));
  } catch {
    return undefined;
  }

  const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(stdout);
  if (!match) return undefined;

  const pid = Number(match[2]);
  const command = (await readProcessCommand(pid)) ?? match[1] ?? 'unknown program';
  const shortCommand = command.length > 100 ? `${command.slice(0, 100)}…` : command;
  return `pid ${pid}: ${shortCommand}`;
}

/**
 * Fails when something other than our server already listens on the port, because the new
 * server could not bind it and the probes would reach the wrong program.
 * @throws StackError naming the port, the owner when `ss` can tell, and the variable that moves it.
 */
export async function assertPortFree(service: string, port: number, portVariable: string): Promise<void> {
  if (!(await isPortOpen(port))) return;

  const owner = await describePortOwner(port);
  const by = owner === undefined ? 'another program' : owner;
  throw new StackError(
    `cannot start ${service}: port ${port} on 127.0.0.1 is busy, used by ${by}. Stop that program or set ${portVariable} to a free port.`,
    service,
  );
}
