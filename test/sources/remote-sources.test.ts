import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { FileSource } from '../../sources/file-source.js';
import { readExactRange } from '../../sources/file-source.js';
import { GcsFileSource } from '../../sources/gcs-source.js';
import { S3FileSource } from '../../sources/s3-source.js';
import { SftpFileSource } from '../../sources/sftp-source.js';
import { SourceError } from '../../sources/source-errors.js';
import {
  createGcsBucket,
  createS3Bucket,
  fakeServiceAccountKey,
  makeSshTestKeys,
  sshKeyPassphrase,
  uniqueBucketName,
  writeSftpFile,
} from '../support/file-fixtures.js';
import type { SshTestKeys } from '../support/file-fixtures.js';

const servers = inject('fileServers');
const content = 'email\nana@example.com\nbob@example.com\ncarl@example.com\n';
const fileName = `remote-${process.pid}.csv`;
const s3Bucket = uniqueBucketName('sources');
const gcsBucket = uniqueBucketName('sources');

let keyFolder: string;
let keys: SshTestKeys;
let serviceAccountKey: Record<string, string>;
let putS3: (key: string, content: string) => Promise<void>;

beforeAll(async () => {
  keyFolder = await mkdtemp(path.join(tmpdir(), 'profile-jobs-keys-'));
  [keys, serviceAccountKey] = await Promise.all([
    makeSshTestKeys(keyFolder, servers.sftp),
    fakeServiceAccountKey(),
  ]);

  await writeSftpFile(servers.sftp, fileName, content);
  putS3 = await createS3Bucket(servers.s3, s3Bucket);
  await putS3(fileName, content);
  await putS3('empty.csv', '');
  const putGcs = await createGcsBucket(servers.gcs, gcsBucket);
  await putGcs(fileName, content);
});

afterAll(async () => {
  await rm(keyFolder, { recursive: true, force: true });
});

function sftpWithPassword(overrides: { password?: string; path?: string; port?: number } = {}) {
  return new SftpFileSource({
    protocol: 'sftp',
    host: servers.sftp.host,
    port: overrides.port ?? servers.sftp.port,
    username: servers.sftp.username,
    password: overrides.password ?? servers.sftp.password,
    path: overrides.path ?? fileName,
  });
}

function sftpWithKey(privateKey: string, passphrase?: string) {
  return new SftpFileSource({
    protocol: 'sftp',
    host: servers.sftp.host,
    port: servers.sftp.port,
    username: servers.sftp.username,
    private_key: privateKey,
    ...(passphrase === undefined ? {} : { passphrase }),
    path: fileName,
  });
}

function s3Source(overrides: { secret?: string; bucket?: string; path?: string } = {}) {
  return new S3FileSource({
    protocol: 's3',
    endpoint_url: servers.s3.endpoint,
    bucket: overrides.bucket ?? s3Bucket,
    region: servers.s3.region,
    access_key_id: servers.s3.accessKeyId,
    secret_access_key: overrides.secret ?? servers.s3.secretAccessKey,
    path: overrides.path ?? fileName,
  });
}

function gcsSource(overrides: { bucket?: string; path?: string; credentials?: unknown } = {}) {
  return new GcsFileSource({
    protocol: 'gcs',
    project_id: 'profile-jobs-test',
    bucket: overrides.bucket ?? gcsBucket,
    credentials: (overrides.credentials ?? JSON.stringify(serviceAccountKey)) as string,
    app_name: 'profile-jobs-tests',
    endpoint_url: servers.gcs.endpoint,
    path: overrides.path ?? fileName,
  });
}

async function readText(source: FileSource, start: number, end: number): Promise<string> {
  let text = '';
  for await (const chunk of readExactRange(source, { start, end })) {
    text += Buffer.from(chunk).toString('utf8');
  }
  return text;
}

async function sourceError(action: () => Promise<unknown>): Promise<SourceError> {
  try {
    await action();
  } catch (error) {
    expect(error).toBeInstanceOf(SourceError);
    return error as SourceError;
  }
  throw new Error('expected a SourceError');
}

const remoteSources: [string, () => FileSource][] = [
  ['sftp', () => sftpWithPassword()],
  ['s3', () => s3Source()],
  ['gcs', () => gcsSource()],
];

describe.each(remoteSources)('%s source', (_protocol, open) => {
  test('stat gives size and a version tag', async () => {
    const source = open();
    try {
      const fileStat = await source.stat();
      expect(fileStat.size).toBe(content.length);
      expect(fileStat.versionTag).not.toBe('');
      expect((await source.stat()).versionTag).toBe(fileStat.versionTag);
    } finally {
      await source.close?.();
    }
  });

  test('ranged read gives exactly the range', async () => {
    const source = open();
    try {
      await source.stat();
      expect(await readText(source, 22, 38)).toBe('bob@example.com\n');
      expect(await readText(source, 0, content.length)).toBe(content);
    } finally {
      await source.close?.();
    }
  });

  test('range at the end gives no bytes', async () => {
    const source = open();
    try {
      await source.stat();
      const stream = await source.read({ start: content.length, end: content.length });
      const chunks: unknown[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      expect(chunks).toEqual([]);
    } finally {
      await source.close?.();
    }
  });
});

describe('sftp source', () => {
  test.each([
    ['OpenSSH ed25519', () => keys.openSshEd25519],
    ['legacy RSA PEM', () => keys.legacyRsa],
    ['PKCS#8 RSA', () => keys.pkcs8Rsa],
  ])('%s key with passphrase logs in', async (_kind, key) => {
    expect(key()).toContain('PRIVATE KEY-----');
    const source = sftpWithKey(key(), sshKeyPassphrase);
    try {
      expect((await source.stat()).size).toBe(content.length);
    } finally {
      await source.close();
    }
  });

  test.each([
    ['OpenSSH ed25519', () => keys.openSshEd25519],
    ['legacy RSA PEM', () => keys.legacyRsa],
    ['PKCS#8 RSA', () => keys.pkcs8Rsa],
  ])('%s key with wrong passphrase fails at once', async (_kind, key) => {
    const started = Date.now();
    const error = await sourceError(() => sftpWithKey(key(), 'wrong-passphrase-value').stat());

    expect(error.message).toBe(
      `SFTP private key for user ${servers.sftp.username} at 127.0.0.1:${servers.sftp.port} rejected: wrong passphrase for the private key.`,
    );
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain('wrong-passphrase-value');
    // Checked before any connection: no login attempt, no retry.
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('encrypted key without passphrase asks for one', async () => {
    const error = await sourceError(() => sftpWithKey(keys.openSshEd25519).stat());

    expect(error.message).toContain('the private key is encrypted: set passphrase');
    expect(error.retryable).toBe(false);
  });

  test('wrong password is refused without retry', async () => {
    const error = await sourceError(() => sftpWithPassword({ password: 'not-the-password-123' }).stat());

    expect(error.message).toBe(
      `SFTP login refused for user ${servers.sftp.username} at 127.0.0.1:${servers.sftp.port}.`,
    );
    expect(error.failure).toBe('access_denied');
    expect(error.retryable).toBe(false);
  });

  test('missing file is not found', async () => {
    const source = sftpWithPassword({ path: 'missing.csv' });
    try {
      const error = await sourceError(() => source.stat());
      expect(error.message).toBe(
        `File not found: SFTP file missing.csv on ${servers.sftp.username}@127.0.0.1:${servers.sftp.port}.`,
      );
      expect(error.retryable).toBe(false);
    } finally {
      await source.close();
    }
  });

  test('closed port is retryable', async () => {
    // Port 1 on loopback has no listener on a test machine, so the connection is refused.
    const error = await sourceError(() => sftpWithPassword({ port: 1 }).stat());

    expect(error.failure).toBe('unreachable');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/^SFTP server at 127\.0\.0\.1:1 could not be reached: .*ECONNREFUSED/);
  });
});

describe('s3 source', () => {
  test('empty object has size 0', async () => {
    const source = s3Source({ path: 'empty.csv' });
    expect((await source.stat()).size).toBe(0);
    expect(await readText(source, 0, 0)).toBe('');
  });

  test('missing bucket is named', async () => {
    const error = await sourceError(() => s3Source({ bucket: 'no-such-bucket-here' }).stat());

    expect(error.message).toBe(
      `S3 bucket no-such-bucket-here not found at ${servers.s3.endpoint}; check source.bucket.`,
    );
    expect(error.retryable).toBe(false);
  });

  test('missing object is not found', async () => {
    const error = await sourceError(() => s3Source({ path: 'missing.csv' }).stat());

    expect(error.message).toBe(
      `File not found: S3 object s3://${s3Bucket}/missing.csv at ${servers.s3.endpoint}.`,
    );
    expect(error.retryable).toBe(false);
  });

  test('wrong secret key is denied without retry', async () => {
    const error = await sourceError(() => s3Source({ secret: 'not-the-secret-key-456' }).stat());

    expect(error.failure).toBe('access_denied');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(
      /^S3 access denied for access key profile-jobs-local at http:\/\/127\.0\.0\.1:\d+/,
    );
    expect(error.message).not.toContain('not-the-secret-key-456');
  });

  test('object replaced after stat fails the read', async () => {
    await putS3('replaced.csv', content);
    const source = s3Source({ path: 'replaced.csv' });
    await source.stat();
    await putS3('replaced.csv', `${content}dora@example.com\n`);

    const error = await sourceError(() => readText(source, 0, content.length));

    expect(error.failure).toBe('file_changed');
    expect(error.retryable).toBe(false);
  });
});

describe('gcs source', () => {
  test('missing bucket is named', async () => {
    const error = await sourceError(() => gcsSource({ bucket: 'no-such-bucket-here' }).stat());

    expect(error.message).toBe(
      'GCS bucket no-such-bucket-here not found in project profile-jobs-test; check source.bucket.',
    );
    expect(error.retryable).toBe(false);
  });

  test('missing object is not found', async () => {
    const error = await sourceError(() => gcsSource({ path: 'missing.csv' }).stat());

    expect(error.message).toBe(
      `File not found: GCS object gs://${gcsBucket}/missing.csv at ${servers.gcs.endpoint}.`,
    );
    expect(error.retryable).toBe(false);
  });

  test('broken credentials are rejected before any request', async () => {
    const broken = { ...serviceAccountKey, private_key: 'not-a-pem-key-789' };

    const error = await sourceError(async () => gcsSource({ credentials: broken }));

    expect(error.message).toBe(
      `GCS credentials for GCS object gs://${gcsBucket}/${fileName} at ${servers.gcs.endpoint} rejected: ` +
        'the private_key of service account reader@profile-jobs-test.iam.gserviceaccount.com is not a PEM private key.',
    );
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain('not-a-pem-key-789');
  });
});
