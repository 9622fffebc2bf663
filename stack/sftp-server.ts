import { execFile, spawn } from 'node:child_process';
import { access, chmod, mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

import type { StackConfig } from './config.js';
import { StackError } from './errors.js';
import type { DetachedServiceSpec, ServiceStatus, StartOutcome, StopOutcome } from './service.js';
import { detachedServiceStatus, startDetachedService, stopDetachedService } from './service.js';

const execFileAsync = promisify(execFile);

/** Debian's OpenSSH server, installed by `stack/install-system-packages.sh`. */
const sshdPath = '/usr/sbin/sshd';

/**
 * The system account that logs in to the test SFTP server. It has no home and no shell
 * (`/usr/sbin/nologin`), so the password opens nothing but this server's SFTP, which runs in the
 * server process itself (`internal-sftp`). It guards nothing: the server only listens on 127.0.0.1
 * and serves test files.
 */
export const sftpCredentials = {
  username: 'profile-jobs-sftp',
  password: 'profile-jobs-sftp-password',
} as const;

/** Time sshd gets to send its SSH banner after it is launched, in milliseconds. */
const startTimeoutMs = 10_000;

/** Folders and files of the SFTP server under `.stack/data/sshd`. */
export interface SftpServerPaths {
  /** Host key, sshd_config and authorized_keys. */
  dir: string;
  /** Login folder of the test user: relative paths of SFTP requests start here. */
  filesDir: string;
  /** Public keys that may log in as the test user, one a line; read again at every login. */
  authorizedKeysFile: string;
  configFile: string;
}

export function sftpServerPaths(config: StackConfig): SftpServerPaths {
  const dir = path.join(config.paths.dataDir, 'sshd');
  return {
    dir,
    filesDir: path.join(dir, 'files'),
    authorizedKeysFile: path.join(dir, 'authorized_keys'),
    configFile: path.join(dir, 'sshd_config'),
  };
}

export function sftpAddress(config: StackConfig): string {
  return `sftp://${sftpCredentials.username}@${config.host}:${config.ports.sftp}`;
}

/**
 * Writes the host key, the configuration and the test user when they are missing, and starts sshd.
 * Runs as root, because sshd must switch to the test user after a login and read its password.
 * @throws StackError when sshd is not installed, the process is not root, or sshd does not respond.
 */
export async function startSftpServer(config: StackConfig): Promise<StartOutcome> {
  await access(sshdPath).catch((cause: unknown) => {
    throw new StackError(
      `sftp needs OpenSSH's ${sshdPath}; run stack/install-system-packages.sh as root`,
      'sftp',
      undefined,
      { cause },
    );
  });
  if (process.getuid?.() !== 0) {
    throw new StackError(
      'sftp must be started as root: sshd switches to the test user after each login',
      'sftp',
    );
  }

  const paths = sftpServerPaths(config);
  await mkdir(paths.filesDir, { recursive: true });
  await chmod(paths.filesDir, 0o755);
  await writeFile(paths.authorizedKeysFile, '', { flag: 'a', mode: 0o644 });
  // sshd refuses to start without its privilege separation folder, which a reboot removes.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  await ensureHostKey(paths);
  await ensureTestUser();
  await writeFile(paths.configFile, sshdConfig(config, paths), { mode: 0o600 });

  return startDetachedService(config, sftpSpec(config));
}

export function stopSftpServer(config: StackConfig): Promise<StopOutcome> {
  return stopDetachedService(config, 'sftp', sftpServerPaths(config).configFile);
}

export function sftpStatus(config: StackConfig): Promise<ServiceStatus> {
  return detachedServiceStatus(config, sftpSpec(config));
}

function sftpSpec(config: StackConfig): DetachedServiceSpec {
  const paths = sftpServerPaths(config);
  return {
    service: 'sftp',
    // sshd keeps its arguments in its process title, so the configuration path identifies ours.
    programName: paths.configFile,
    command: sshdPath,
    // -D stays in the foreground, so the pid file names the listening process; -e logs to stderr.
    args: ['-D', '-e', '-f', paths.configFile],
    port: config.ports.sftp,
    portVariable: 'PROFILE_JOBS_SFTP_PORT',
    address: sftpAddress(config),
    probe: () => answersWithSshBanner(config.host, config.ports.sftp),
    startTimeoutMs,
  };
}

function sshdConfig(config: StackConfig, paths: SftpServerPaths): string {
  return [
    '# Written by stack/sftp-server.ts at every start; edits are lost.',
    `ListenAddress ${config.host}`,
    `Port ${config.ports.sftp}`,
    `HostKey ${path.join(paths.dir, 'ssh_host_ed25519_key')}`,
    'PidFile none',
    `AllowUsers ${sftpCredentials.username}`,
    'PermitRootLogin no',
    'UsePAM no',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    `AuthorizedKeysFile ${paths.authorizedKeysFile}`,
    // The files live in the repository's folder, whose owner is not the test user.
    'StrictModes no',
    `Subsystem sftp internal-sftp -d ${paths.filesDir}`,
    `ForceCommand internal-sftp -d ${paths.filesDir}`,
    'AllowTcpForwarding no',
    'X11Forwarding no',
    // Test files log in from several processes at once; the default of 10 would drop logins.
    'MaxStartups 100:30:200',
    'LogLevel INFO',
    '',
  ].join('\n');
}

async function ensureHostKey(paths: SftpServerPaths): Promise<void> {
  const keyFile = path.join(paths.dir, 'ssh_host_ed25519_key');
  const exists = await access(keyFile).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await execFileAsync('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      'profile-jobs-sftp',
      '-f',
      keyFile,
    ]);
  }
}

/** Creates the test user when it is missing and sets its password. */
async function ensureTestUser(): Promise<void> {
  const { username, password } = sftpCredentials;
  const exists = await execFileAsync('id', ['-u', username]).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await execFileAsync('useradd', [
      '--system',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      username,
    ]).catch((cause: unknown) => {
      throw new StackError(
        `sftp could not create the test user ${username} with useradd`,
        'sftp',
        undefined,
        {
          cause,
        },
      );
    });
  }

  await new Promise<void>((resolve, reject) => {
    const chpasswd = spawn('chpasswd', [], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    chpasswd.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    chpasswd.once('error', reject);
    chpasswd.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new StackError(`chpasswd failed for ${username}: ${stderr.trim()}`, 'sftp')),
    );
    chpasswd.stdin.end(`${username}:${password}\n`);
  });
}

/** Resolves true once the server sends the `SSH-2.0-` line that opens every SSH session. */
function answersWithSshBanner(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('data', (data) => finish(data.toString('latin1').startsWith('SSH-2.0-')));
    socket.once('error', () => finish(false));
  });
}
