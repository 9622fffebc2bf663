import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import {
  expectedDeletedIds,
  expectedFailed,
  expectedSucceeded,
  fixtureCsv,
  fixtureProfileCount,
  fixtureRecordCount,
} from '../support/deletion-fixture.js';
import {
  createGcsBucket,
  createS3Bucket,
  encryptWithOpenssl,
  fakeServiceAccountKey,
  makeSshTestKeys,
  sshKeyPassphrase,
  uniqueBucketName,
  writeSftpFile,
} from '../support/file-fixtures.js';
import type { SshTestKeys } from '../support/file-fixtures.js';
import {
  createDefinition,
  readAllLogs,
  resetProfiles,
  runToEnd,
  writeImportFile,
} from '../support/job-steps.js';
import { startJobEnvironment } from '../support/test-services.js';
import type { JobTestEnvironment } from '../support/test-services.js';

const servers = inject('fileServers');
const filePassword = 'file-password-3141';
const s3Bucket = uniqueBucketName('jobs');
const gcsBucket = uniqueBucketName('jobs');
// Each test file has its own names in the shared SFTP folder.
const sftpPrefix = `jobs-${process.pid}`;

let environment: JobTestEnvironment;
let keyFolder: string;
let keys: SshTestKeys;
let serviceAccountKey: Record<string, string>;

beforeAll(async () => {
  keyFolder = await mkdtemp(path.join(tmpdir(), 'profile-jobs-keys-'));
  [environment, keys, serviceAccountKey] = await Promise.all([
    startJobEnvironment(),
    makeSshTestKeys(keyFolder, servers.sftp),
    fakeServiceAccountKey(),
  ]);

  const csv = fixtureCsv();
  const [binary, base64Lines, base64OneLine] = await Promise.all([
    encryptWithOpenssl(csv, { password: filePassword }),
    encryptWithOpenssl(csv, { password: filePassword, base64: true }),
    encryptWithOpenssl(csv, { password: filePassword, base64: true, singleLine: true }),
  ]);
  await writeImportFile(environment, 'fixture.csv.enc', binary);
  await writeImportFile(environment, 'fixture.csv.b64', base64Lines);
  await writeSftpFile(servers.sftp, `${sftpPrefix}.csv`, csv);
  await writeSftpFile(servers.sftp, `${sftpPrefix}.csv.b64`, base64Lines);
  await writeSftpFile(servers.sftp, `${sftpPrefix}.csv.enc`, binary);

  const putS3 = await createS3Bucket(servers.s3, s3Bucket);
  await putS3('fixture.csv', csv);
  await putS3('fixture.csv.b64', base64OneLine);
  await putS3('empty.csv', '');
  const putGcs = await createGcsBucket(servers.gcs, gcsBucket);
  await putGcs('fixture.csv', csv);
  await putGcs('fixture.csv.enc', binary);
});

afterAll(async () => {
  await environment?.close();
  await rm(keyFolder, { recursive: true, force: true });
});

async function remainingProfileIds(): Promise<Set<string>> {
  const remaining = await environment.store.profiles.find({}, { projection: { _id: 1 } }).toArray();
  return new Set(remaining.map((profile) => profile._id));
}

const sftpLogin = () => ({
  protocol: 'sftp',
  host: servers.sftp.host,
  port: servers.sftp.port,
  username: servers.sftp.username,
});

const s3Settings = () => ({
  protocol: 's3',
  endpoint_url: servers.s3.endpoint,
  bucket: s3Bucket,
  region: servers.s3.region,
  access_key_id: servers.s3.accessKeyId,
  secret_access_key: servers.s3.secretAccessKey,
});

const gcsSettings = () => ({
  protocol: 'gcs',
  project_id: 'profile-jobs-test',
  bucket: gcsBucket,
  credentials: serviceAccountKey,
  app_name: 'profile-jobs-tests',
  endpoint_url: servers.gcs.endpoint,
});

const binaryEncryption = { password: filePassword, pbkdf2_iterations: 10_000, format: 'binary' };
const base64Encryption = { ...binaryEncryption, format: 'base64' };

interface JobCase {
  source: () => Record<string, unknown>;
  encryption?: Record<string, unknown>;
  description: () => string;
}

const jobCases: [string, JobCase][] = [
  [
    'local binary encrypted',
    {
      source: () => ({ protocol: 'local', path: 'fixture.csv.enc' }),
      encryption: binaryEncryption,
      description: () => 'local file fixture.csv.enc',
    },
  ],
  [
    'local base64 encrypted',
    {
      source: () => ({ protocol: 'local', path: 'fixture.csv.b64' }),
      encryption: base64Encryption,
      description: () => 'local file fixture.csv.b64',
    },
  ],
  [
    'SFTP with password',
    {
      source: () => ({ ...sftpLogin(), password: servers.sftp.password, path: `${sftpPrefix}.csv` }),
      description: () =>
        `SFTP file ${sftpPrefix}.csv on ${servers.sftp.username}@127.0.0.1:${servers.sftp.port}`,
    },
  ],
  [
    'SFTP with OpenSSH ed25519 key, base64 encrypted',
    {
      source: () => ({
        ...sftpLogin(),
        private_key: keys.openSshEd25519,
        passphrase: sshKeyPassphrase,
        path: `${sftpPrefix}.csv.b64`,
      }),
      encryption: base64Encryption,
      description: () =>
        `SFTP file ${sftpPrefix}.csv.b64 on ${servers.sftp.username}@127.0.0.1:${servers.sftp.port}`,
    },
  ],
  [
    'SFTP with legacy RSA PEM key',
    {
      source: () => ({
        ...sftpLogin(),
        private_key: keys.legacyRsa,
        passphrase: sshKeyPassphrase,
        path: `${sftpPrefix}.csv`,
      }),
      description: () =>
        `SFTP file ${sftpPrefix}.csv on ${servers.sftp.username}@127.0.0.1:${servers.sftp.port}`,
    },
  ],
  [
    'SFTP with PKCS#8 key, binary encrypted',
    {
      source: () => ({
        ...sftpLogin(),
        private_key: keys.pkcs8Rsa,
        passphrase: sshKeyPassphrase,
        path: `${sftpPrefix}.csv.enc`,
      }),
      encryption: binaryEncryption,
      description: () =>
        `SFTP file ${sftpPrefix}.csv.enc on ${servers.sftp.username}@127.0.0.1:${servers.sftp.port}`,
    },
  ],
  [
    'S3',
    {
      source: () => ({ ...s3Settings(), path: 'fixture.csv' }),
      description: () => `S3 object s3://${s3Bucket}/fixture.csv at ${servers.s3.endpoint}`,
    },
  ],
  [
    'S3 base64 on one line',
    {
      source: () => ({ ...s3Settings(), path: 'fixture.csv.b64' }),
      encryption: base64Encryption,
      description: () => `S3 object s3://${s3Bucket}/fixture.csv.b64 at ${servers.s3.endpoint}`,
    },
  ],
  [
    'GCS',
    {
      source: () => ({ ...gcsSettings(), path: 'fixture.csv' }),
      description: () => `GCS object gs://${gcsBucket}/fixture.csv at ${servers.gcs.endpoint}`,
    },
  ],
  [
    'GCS binary encrypted',
    {
      source: () => ({ ...gcsSettings(), path: 'fixture.csv.enc' }),
      encryption: binaryEncryption,
      description: () => `GCS object gs://${gcsBucket}/fixture.csv.enc at ${servers.gcs.endpoint}`,
    },
  ],
];

describe.each(jobCases)('1,000-line deletion from %s', (_name, jobCase) => {
  test('gives the exact counts, deletions and logs', async () => {
    await resetProfiles(environment);
    const definitionId = await createDefinition(environment, {
      source: jobCase.source(),
      ...(jobCase.encryption === undefined ? {} : { encryption: jobCase.encryption }),
    });

    const report = await runToEnd(environment, definitionId);

    expect(report.status).toBe('SUCCESS');
    expect(report.total).toBe(fixtureRecordCount);
    expect(report.succeeded).toBe(expectedSucceeded);
    expect(report.failed).toBe(expectedFailed);
    expect(report.estimated).toBe(false);

    const remaining = await remainingProfileIds();
    const deleted = new Set(expectedDeletedIds());
    expect(remaining.size).toBe(fixtureProfileCount - deleted.size);
    for (const id of deleted) {
      expect(remaining.has(id), id).toBe(false);
    }

    const lines = (await readAllLogs(environment, report.id, 'LOG')).map((entry) => entry.content);
    expect(lines).toEqual([
      `Delete profiles from file ${jobCase.description()}`,
      'Total profiles to delete: 1000',
      'Deleted 910 profiles, 90 failed',
    ]);
    const warningLines = (await readAllLogs(environment, report.id, 'WARNING')).map((entry) => entry.line);
    expect(warningLines.sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      Array.from({ length: expectedFailed }, (_, index) => 912 + index),
    );
    expect(await readAllLogs(environment, report.id, 'ERROR')).toEqual([]);
  });
});
