import { Readable } from 'node:stream';
import { Client } from 'ssh2';
import type { ConnectConfig, SFTPWrapper, Stats } from 'ssh2';
import type { SftpSourceSettings } from '../core/source-settings.js';
import type { ByteRange, FileSource, FileStat } from './file-source.js';
import { SourceError } from './source-errors.js';
import { prepareSshLoginKey } from './ssh-private-key.js';
import { mapStreamErrors } from './stream-errors.js';

/** Time to connect, exchange keys and log in, in milliseconds. */
const loginTimeoutMs = 15_000;

/** SFTP status codes (draft-ietf-secsh-filexfer-02) that ssh2 puts in `error.code`. */
const noSuchFile = 2;
const permissionDenied = 3;

/** Socket errors that a later attempt may not meet: the server restarts, the network drops. */
const transientSocketErrors = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

interface SftpConnection {
  client: Client;
  sftp: SFTPWrapper;
}

/**
 * A file on an SFTP server, read with ssh2. Logs in on the first `stat` or `read` and keeps the
 * connection until `close`, so the reads of one activity share it.
 *
 * Limitation: the server's host key is accepted without a check, because definitions carry no
 * known host key yet. A definition should be able to pin its SHA-256 fingerprint.
 */
export class SftpFileSource implements FileSource {
  readonly description: string;
  private readonly login: string;
  private connection: Promise<SftpConnection> | undefined;

  constructor(private readonly settings: SftpSourceSettings) {
    this.login = `user ${settings.username} at ${settings.host}:${settings.port}`;
    this.description = `SFTP file ${settings.path} on ${settings.username}@${settings.host}:${settings.port}`;
  }

  /** @throws SourceError, retryable only for timeouts and dropped connections. */
  async stat(): Promise<FileStat> {
    const { sftp } = await this.connect();
    const stats = await new Promise<Stats>((resolve, reject) => {
      sftp.stat(this.settings.path, (error, result) => (error ? reject(error) : resolve(result)));
    }).catch((error: unknown) => {
      throw this.fileError(error);
    });

    if (!stats.isFile()) {
      throw new SourceError(`${this.description} is not a regular file.`, 'not_found', false);
    }
    // SFTP version 3 gives modification times in whole seconds, so the size is part of the tag.
    return { size: stats.size, versionTag: `${stats.size}-${stats.mtime}` };
  }

  async read(range: ByteRange): Promise<Readable> {
    if (range.end <= range.start) {
      return Readable.from([]);
    }

    const { sftp } = await this.connect();
    const stream = sftp.createReadStream(this.settings.path, { start: range.start, end: range.end - 1 });
    return mapStreamErrors(stream, (error) => this.fileError(error));
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    const opened = await connection?.catch(() => undefined);
    opened?.client.end();
  }

  private connect(): Promise<SftpConnection> {
    if (this.connection === undefined) {
      const attempt = this.openConnection();
      // A failed login is not kept, so the next call tries again.
      attempt.catch(() => {
        if (this.connection === attempt) this.connection = undefined;
      });
      this.connection = attempt;
    }
    return this.connection;
  }

  private openConnection(): Promise<SftpConnection> {
    const { host, port, username, password, private_key: privateKey, passphrase } = this.settings;
    const credentials =
      privateKey === undefined ? { password } : prepareSshLoginKey(privateKey, passphrase, this.login);
    const config: ConnectConfig = { host, port, username, readyTimeout: loginTimeoutMs, ...credentials };

    return new Promise<SftpConnection>((resolve, reject) => {
      const client = new Client();
      let ready = false;
      client.on('error', (error) => {
        if (!ready) {
          reject(this.connectionError(error));
          return;
        }
        // A connection that fails after login is dropped; the next read opens a new one.
        this.connection = undefined;
      });
      client.on('close', () => {
        if (ready) this.connection = undefined;
      });
      client.once('ready', () => {
        client.sftp((error, sftp) => {
          if (error) {
            client.end();
            reject(this.connectionError(error));
            return;
          }
          ready = true;
          resolve({ client, sftp });
        });
      });
      client.connect(config);
    });
  }

  private connectionError(error: unknown): SourceError {
    const { level, code } = error as { level?: string; code?: string };
    const where = `${this.settings.host}:${this.settings.port}`;

    if (level === 'client-authentication') {
      return new SourceError(`SFTP login refused for ${this.login}.`, 'access_denied', false, {
        cause: error,
      });
    }
    if (level === 'client-timeout') {
      return new SourceError(
        `SFTP server at ${where} did not complete the login within ${loginTimeoutMs / 1000} s.`,
        'unreachable',
        true,
        { cause: error },
      );
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return new SourceError(
        `SFTP host ${this.settings.host} not found; check the definition's source.host.`,
        'unreachable',
        false,
        { cause: error },
      );
    }
    const retryable = code !== undefined && transientSocketErrors.has(code);
    return new SourceError(
      `SFTP server at ${where} could not be reached: ${describe(error)}.`,
      'unreachable',
      retryable,
      { cause: error },
    );
  }

  private fileError(error: unknown): SourceError {
    const code = (error as { code?: unknown }).code;
    if (code === noSuchFile) {
      return new SourceError(`File not found: ${this.description}.`, 'not_found', false, { cause: error });
    }
    if (code === permissionDenied) {
      return new SourceError(`Permission denied to read ${this.description}.`, 'access_denied', false, {
        cause: error,
      });
    }
    return new SourceError(`Reading ${this.description} failed: ${describe(error)}.`, 'unreachable', true, {
      cause: error,
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
