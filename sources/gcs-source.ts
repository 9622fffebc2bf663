import { createPrivateKey } from 'node:crypto';
import { Readable } from 'node:stream';
import { Storage } from '@google-cloud/storage';
import type { File } from '@google-cloud/storage';
import type { GcsSourceSettings } from '../core/source-settings.js';
import type { ByteRange, FileSource, FileStat } from './file-source.js';
import { SourceError } from './source-errors.js';
import { mapStreamErrors } from './stream-errors.js';

/** Attempts the client makes itself for a failed request, before the activity's own retries. */
const clientRetries = 2;

/** Socket errors that a later attempt may not meet. */
const transientSocketErrors = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

/** The fields of a service-account key file that a login uses. */
interface ServiceAccountKey {
  client_email: string;
  private_key: string;
}

/**
 * An object in a Google Cloud Storage bucket, read with a service-account key. Reads ask for the
 * generation that `stat` saw, so an object replaced in between fails the read. With
 * `endpoint_url` (an emulator such as fake-gcs-server) requests go there without credentials,
 * but the key is still checked, so a broken key fails the same way as against Google.
 */
export class GcsFileSource implements FileSource {
  readonly description: string;
  private readonly storage: Storage;
  private generation: string | undefined;

  constructor(private readonly settings: GcsSourceSettings) {
    this.description = `GCS object gs://${settings.bucket}/${settings.path}${
      settings.endpoint_url === undefined ? '' : ` at ${settings.endpoint_url}`
    }`;
    const key = readServiceAccountKey(settings, this.description);
    const labels = [settings.app_name, settings.user_name].filter((label) => label !== undefined);

    this.storage = new Storage({
      projectId: settings.project_id,
      credentials: { client_email: key.client_email, private_key: key.private_key },
      ...(settings.endpoint_url === undefined ? {} : { apiEndpoint: settings.endpoint_url }),
      ...(labels.length === 0 ? {} : { userAgent: labels.join('/') }),
      retryOptions: { autoRetry: true, maxRetries: clientRetries },
    });
  }

  /** @throws SourceError, retryable only for timeouts, dropped connections and server errors. */
  async stat(): Promise<FileStat> {
    const [metadata] = await this.file()
      .getMetadata()
      .catch(async (error: unknown) => {
        throw await this.requestError(error);
      });

    this.generation = metadata.generation === undefined ? undefined : String(metadata.generation);
    return { size: Number(metadata.size ?? 0), versionTag: `generation ${this.generation ?? 'unknown'}` };
  }

  async read(range: ByteRange): Promise<Readable> {
    if (range.end <= range.start) {
      return Readable.from([]);
    }

    // The checksum covers the whole object, so it cannot be checked on a range.
    const stream = this.file(this.generation).createReadStream({
      start: range.start,
      end: range.end - 1,
      validation: false,
      decompress: false,
    });
    return mapStreamErrors(stream, (error) => this.transferError(error));
  }

  async close(): Promise<void> {
    // The client keeps no connection of its own beyond Node's HTTP agent, which closes idle sockets.
  }

  private file(generation?: string): File {
    return this.storage
      .bucket(this.settings.bucket)
      .file(this.settings.path, generation === undefined ? {} : { generation: Number(generation) });
  }

  /** Turns a client error into a SourceError; a 404 costs one more request to tell bucket from object. */
  private async requestError(error: unknown): Promise<SourceError> {
    const status = (error as { code?: unknown }).code;

    if (status === 404) {
      const [bucketExists] = await this.storage
        .bucket(this.settings.bucket)
        .exists()
        .catch(() => [true]);
      if (!bucketExists) {
        return new SourceError(
          `GCS bucket ${this.settings.bucket} not found in project ${this.settings.project_id}; check source.bucket.`,
          'not_found',
          false,
          { cause: error },
        );
      }
      return new SourceError(`File not found: ${this.description}.`, 'not_found', false, { cause: error });
    }
    // Limitation: the emulator of the tests ignores credentials, so no test has run this branch
    // against a server that rejects a key.
    if (status === 401 || status === 403) {
      return new SourceError(
        `GCS access denied for service account ${readServiceAccountKey(this.settings, this.description).client_email}: ` +
          `check the credentials and that the account may read gs://${this.settings.bucket}/${this.settings.path}.`,
        'access_denied',
        false,
        { cause: error },
      );
    }
    return this.transferError(error);
  }

  private transferError(error: unknown): SourceError {
    const code = (error as { code?: unknown }).code;
    if (code === 404 || code === 412) {
      return new SourceError(
        `The file changed or was truncated while the job ran (${this.description}: generation ${this.generation} is gone). ` +
          'Upload it again and start a new run.',
        'file_changed',
        false,
        { cause: error },
      );
    }
    const retryable =
      typeof code !== 'number'
        ? typeof code !== 'string' || transientSocketErrors.has(code)
        : code >= 500 || code === 429;
    const reason = error instanceof Error ? error.message : String(error);
    return new SourceError(
      `GCS request for ${this.description} failed: ${reason}.`,
      'unreachable',
      retryable,
      {
        cause: error,
      },
    );
  }
}

/**
 * Reads the service-account key and checks that its private key is a PEM key.
 * @throws SourceError `access_denied` (not retryable) naming what is wrong, never the key's text.
 */
function readServiceAccountKey(settings: GcsSourceSettings, description: string): ServiceAccountKey {
  const rejected = (reason: string) =>
    new SourceError(`GCS credentials for ${description} rejected: ${reason}.`, 'access_denied', false);

  let parsed: unknown = settings.credentials;
  if (typeof parsed === 'string') {
    try {
      parsed = JSON.parse(parsed);
    } catch {
      throw rejected('they are not valid JSON');
    }
  }
  const key = parsed as Partial<Record<keyof ServiceAccountKey, unknown>> | null;
  if (typeof key?.client_email !== 'string' || typeof key.private_key !== 'string') {
    throw rejected('they are not a service-account key with client_email and private_key');
  }

  try {
    createPrivateKey({ key: key.private_key, format: 'pem' });
  } catch {
    throw rejected(`the private_key of service account ${key.client_email} is not a PEM private key`);
  }
  return { client_email: key.client_email, private_key: key.private_key };
}
