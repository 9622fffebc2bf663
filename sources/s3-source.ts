import { Readable } from 'node:stream';
import { GetObjectCommand, HeadBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3SourceSettings } from '../core/source-settings.js';
import { fileChanged } from './file-source.js';
import type { ByteRange, FileSource, FileStat } from './file-source.js';
import { SourceError } from './source-errors.js';
import { mapStreamErrors } from './stream-errors.js';

/** Time to connect to the store, in milliseconds; the SDK's default waits for the OS. */
const connectTimeoutMs = 10_000;

/** Error codes of the SDK that name bad credentials rather than a missing object. */
const credentialErrors = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'Forbidden',
]);

/** Socket errors that a later attempt may not meet. */
const transientSocketErrors = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

/**
 * An object in an S3 bucket. With `endpoint_url` (an S3-compatible store such as MinIO or
 * versitygw), requests use path-style addressing (`endpoint/bucket/key`), because such stores
 * rarely have a DNS name per bucket. Reads ask for the ETag that `stat` saw, so an object replaced
 * between the two fails the read instead of mixing two versions.
 */
export class S3FileSource implements FileSource {
  readonly description: string;
  private readonly where: string;
  private readonly client: S3Client;
  private etag: string | undefined;

  constructor(private readonly settings: S3SourceSettings) {
    this.where = settings.endpoint_url ?? `region ${settings.region}`;
    this.description = `S3 object s3://${settings.bucket}/${settings.path}${
      settings.endpoint_url === undefined ? '' : ` at ${settings.endpoint_url}`
    }`;
    this.client = new S3Client({
      region: settings.region,
      ...(settings.endpoint_url === undefined
        ? {}
        : { endpoint: settings.endpoint_url, forcePathStyle: true }),
      credentials: { accessKeyId: settings.access_key_id, secretAccessKey: settings.secret_access_key },
      requestHandler: { connectionTimeout: connectTimeoutMs },
    });
  }

  /** @throws SourceError, retryable only for timeouts, dropped connections and server errors. */
  async stat(): Promise<FileStat> {
    const head = await this.client
      .send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: this.settings.path }))
      .catch(async (error: unknown) => {
        throw await this.requestError(error);
      });

    this.etag = head.ETag;
    return {
      size: head.ContentLength ?? 0,
      versionTag: head.ETag ?? `modified ${head.LastModified?.toISOString()}`,
    };
  }

  async read(range: ByteRange): Promise<Readable> {
    if (range.end <= range.start) {
      // S3 rejects a range that starts at the end of the object with status 416.
      return Readable.from([]);
    }

    const response = await this.client
      .send(
        new GetObjectCommand({
          Bucket: this.settings.bucket,
          Key: this.settings.path,
          Range: `bytes=${range.start}-${range.end - 1}`,
          ...(this.etag === undefined ? {} : { IfMatch: this.etag }),
        }),
      )
      .catch(async (error: unknown) => {
        throw await this.requestError(error);
      });

    const body = response.Body;
    if (!(body instanceof Readable)) {
      throw new SourceError(`${this.description} returned no body for a ranged read.`, 'unreachable', true);
    }
    return mapStreamErrors(body, (error) => this.transferError(error));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  /** Turns an SDK error into a SourceError; a 404 costs one more request to tell bucket from object. */
  private async requestError(error: unknown): Promise<SourceError> {
    const { name, code } = error as { name?: string; code?: string };
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

    if (status === 404 || name === 'NotFound' || name === 'NoSuchKey' || name === 'NoSuchBucket') {
      if (name === 'NoSuchBucket' || !(await this.bucketExists())) {
        return new SourceError(
          `S3 bucket ${this.settings.bucket} not found at ${this.where}; check source.bucket.`,
          'not_found',
          false,
          { cause: error },
        );
      }
      return new SourceError(`File not found: ${this.description}.`, 'not_found', false, { cause: error });
    }
    if (status === 412 || name === 'PreconditionFailed') {
      return fileChanged(this, `its ETag is no longer ${this.etag}`);
    }
    if (status === 401 || status === 403 || (name !== undefined && credentialErrors.has(name))) {
      return new SourceError(
        `S3 access denied for access key ${this.settings.access_key_id} at ${this.where}: check ` +
          `access_key_id and secret_access_key, and that the key may read s3://${this.settings.bucket}/${this.settings.path}.`,
        'access_denied',
        false,
        { cause: error },
      );
    }
    if (status === 301 || name === 'PermanentRedirect') {
      return new SourceError(
        `S3 bucket ${this.settings.bucket} is not in region ${this.settings.region}; check source.region.`,
        'not_found',
        false,
        { cause: error },
      );
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return new SourceError(
        `S3 endpoint host not found: ${this.where}; check source.endpoint_url.`,
        'unreachable',
        false,
        { cause: error },
      );
    }
    return this.transferError(error);
  }

  private transferError(error: unknown): SourceError {
    const { name, code } = error as { name?: string; code?: string };
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const retryable =
      name === 'TimeoutError' ||
      (code !== undefined && transientSocketErrors.has(code)) ||
      status === undefined ||
      status >= 500;
    const reason = error instanceof Error ? error.message || name : String(error);
    return new SourceError(
      `S3 request for ${this.description} failed: ${reason}.`,
      'unreachable',
      retryable,
      {
        cause: error,
      },
    );
  }

  private async bucketExists(): Promise<boolean> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.settings.bucket }));
      return true;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      return status !== 404;
    }
  }
}
