import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { ProfileDocument } from '../../store/profiles.js';
import { pauseSignal, resumeSignal } from '../../workflows/job-controls.js';
import {
  createGcsBucket,
  createS3Bucket,
  encryptWithOpenssl,
  fakeServiceAccountKey,
  makeSshTestKeys,
  uniqueBucketName,
  writeSftpFile,
} from '../support/file-fixtures.js';
import type { SshTestKeys } from '../support/file-fixtures.js';
import { activityAttempts, historyText } from '../support/job-history.js';
import {
  createDefinition,
  readAllLogs,
  readReport,
  resetProfiles,
  runToEnd,
  startRun,
  writeImportFile,
} from '../support/job-steps.js';
import type { LogLine } from '../support/job-steps.js';
import { startJobEnvironment } from '../support/test-services.js';
import type { JobTestEnvironment } from '../support/test-services.js';

const servers = inject('fileServers');
const smallCsv = 'email\nana@example.com\nbob@example.com\ncarl@example.com\n';
const storedProfiles: ProfileDocument[] = ['ana', 'bob', 'carl'].map((name) => ({
  _id: `p-${name}`,
  email: `${name}@example.com`,
}));
const s3Bucket = uniqueBucketName('failures');
const sftpFile = `failures-${process.pid}.csv`;

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

  await writeSftpFile(servers.sftp, sftpFile, smallCsv);
  const putS3 = await createS3Bucket(servers.s3, s3Bucket);
  await putS3('small.csv', smallCsv);
  await putS3('empty.csv', '');
  await createGcsBucket(servers.gcs, uniqueBucketName('failures'));
});

afterAll(async () => {
  await environment?.close();
  await rm(keyFolder, { recursive: true, force: true });
});

/** Runs a definition that must fail, and returns its ERROR lines, all log lines and the run's history. */
async function runFailing(fields: Record<string, unknown>) {
  await resetProfiles(environment, storedProfiles);
  const definitionId = await createDefinition(environment, fields);

  const report = await runToEnd(environment, definitionId);

  expect(report.status).toBe('FAILURE');
  expect(report.succeeded).toBe(0);
  expect(await environment.store.profiles.countDocuments({})).toBe(storedProfiles.length);
  return {
    errors: (await readAllLogs(environment, report.id, 'ERROR')).map((entry) => entry.content),
    logs: await readAllLogs(environment, report.id),
    attempts: await activityAttempts(environment, report.workflow_id),
    history: await historyText(environment, report.workflow_id),
  };
}

function expectNowhere(secret: string, logs: LogLine[], history: string): void {
  for (const entry of logs) {
    expect(entry.content).not.toContain(secret);
  }
  expect(history).not.toContain(secret);
}

describe('encrypted files that cannot be decrypted', () => {
  test('wrong password fails once, deletes nothing', async () => {
    await writeImportFile(
      environment,
      'wrong.enc',
      await encryptWithOpenssl(smallCsv, { password: 's3cret' }),
    );
    const wrongPassword = 'wrong-password-2718';

    const { errors, logs, attempts, history } = await runFailing({
      source: { protocol: 'local', path: 'wrong.enc' },
      encryption: { password: wrongPassword, pbkdf2_iterations: 10_000 },
    });

    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('could not decrypt: wrong password or iteration count');
    expect(attempts['planJob']).toEqual([1]);
    expect(attempts['processChunk']).toBeUndefined();
    expectNowhere(wrongPassword, logs, history);
  });

  test('wrong iteration count fails the same way', async () => {
    await writeImportFile(
      environment,
      'iterations.enc',
      await encryptWithOpenssl(smallCsv, { password: 's3cret', iterations: 20_000 }),
    );

    const { errors, attempts } = await runFailing({
      source: { protocol: 'local', path: 'iterations.enc' },
      encryption: { password: 's3cret', pbkdf2_iterations: 10_000 },
    });

    expect(errors[0]).toContain('could not decrypt: wrong password or iteration count');
    expect(attempts['planJob']).toEqual([1]);
  });

  test('file made without -pbkdf2 names the expected form', async () => {
    await writeImportFile(
      environment,
      'old.enc',
      await encryptWithOpenssl(smallCsv, { password: 's3cret', pbkdf2: false }),
    );

    const { errors, attempts } = await runFailing({
      source: { protocol: 'local', path: 'old.enc' },
      encryption: { password: 's3cret' },
    });

    expect(errors).toEqual([
      "local file old.enc was encrypted without -pbkdf2 (openssl's old key derivation), which is not supported. " +
        'Encrypt it again with `openssl enc -aes-256-cbc -salt -pbkdf2 -iter N` and set encryption.pbkdf2_iterations to N.',
    ]);
    expect(attempts['planJob']).toEqual([1]);
  });
});

describe('sources that refuse the login', () => {
  test('SFTP wrong password names user and server', async () => {
    const wrongPassword = 'wrong-sftp-password-1618';

    const { errors, logs, attempts, history } = await runFailing({
      source: {
        protocol: 'sftp',
        host: servers.sftp.host,
        port: servers.sftp.port,
        username: servers.sftp.username,
        password: wrongPassword,
        path: sftpFile,
      },
    });

    expect(errors).toEqual([
      `SFTP login refused for user ${servers.sftp.username} at 127.0.0.1:${servers.sftp.port}.`,
    ]);
    expect(attempts['planJob']).toEqual([1]);
    expectNowhere(wrongPassword, logs, history);
  });

  test('SFTP wrong passphrase fails at once', async () => {
    const wrongPassphrase = 'wrong-passphrase-1414';

    const { errors, logs, attempts, history } = await runFailing({
      source: {
        protocol: 'sftp',
        host: servers.sftp.host,
        port: servers.sftp.port,
        username: servers.sftp.username,
        private_key: keys.pkcs8Rsa,
        passphrase: wrongPassphrase,
        path: sftpFile,
      },
    });

    expect(errors).toEqual([
      `SFTP private key for user ${servers.sftp.username} at 127.0.0.1:${servers.sftp.port} rejected: wrong passphrase for the private key.`,
    ]);
    expect(attempts['planJob']).toEqual([1]);
    expectNowhere(wrongPassphrase, logs, history);
    expectNowhere('PRIVATE KEY-----', logs, history);
  });

  test('S3 wrong secret key names the key and endpoint', async () => {
    const wrongSecret = 'wrong-secret-access-key-1732';

    const { errors, logs, attempts, history } = await runFailing({
      source: {
        protocol: 's3',
        endpoint_url: servers.s3.endpoint,
        bucket: s3Bucket,
        region: servers.s3.region,
        access_key_id: servers.s3.accessKeyId,
        secret_access_key: wrongSecret,
        path: 'small.csv',
      },
    });

    expect(errors).toEqual([
      `S3 access denied for access key ${servers.s3.accessKeyId} at ${servers.s3.endpoint}: check access_key_id ` +
        `and secret_access_key, and that the key may read s3://${s3Bucket}/small.csv.`,
    ]);
    expect(attempts['planJob']).toEqual([1]);
    expectNowhere(wrongSecret, logs, history);
  });

  test('GCS broken key names the service account', async () => {
    const brokenKey = 'broken-private-key-2236';

    const { errors, logs, history } = await runFailing({
      source: {
        protocol: 'gcs',
        project_id: 'profile-jobs-test',
        bucket: 'some-bucket',
        credentials: { ...serviceAccountKey, private_key: brokenKey },
        endpoint_url: servers.gcs.endpoint,
        path: 'small.csv',
      },
    });

    expect(errors).toEqual([
      `GCS credentials for GCS object gs://some-bucket/small.csv at ${servers.gcs.endpoint} rejected: ` +
        `the private_key of service account ${serviceAccountKey['client_email']} is not a PEM private key.`,
    ]);
    expectNowhere(brokenKey, logs, history);
  });
});

describe('files that end early', () => {
  test('S3 empty object ends SUCCESS with 0 records', async () => {
    await resetProfiles(environment, storedProfiles);
    const definitionId = await createDefinition(environment, {
      source: {
        protocol: 's3',
        endpoint_url: servers.s3.endpoint,
        bucket: s3Bucket,
        region: servers.s3.region,
        access_key_id: servers.s3.accessKeyId,
        secret_access_key: servers.s3.secretAccessKey,
        path: 'empty.csv',
      },
    });

    const report = await runToEnd(environment, definitionId);

    expect(report.status).toBe('SUCCESS');
    expect(report.total).toBe(0);
    expect(report.succeeded).toBe(0);
    expect(report.failed).toBe(0);
    const lines = (await readAllLogs(environment, report.id)).map(
      (entry) => `${entry.level} ${entry.content}`,
    );
    expect(lines).toEqual([
      `LOG Delete profiles from file S3 object s3://${s3Bucket}/empty.csv at ${servers.s3.endpoint}`,
      'LOG Total profiles to delete: 0',
      'LOG Deleted 0 profiles, 0 failed',
    ]);
  });

  test('file cut short after the plan fails, applies nothing', async () => {
    await resetProfiles(environment, storedProfiles);
    const filePath = await writeImportFile(environment, 'cut.csv', smallCsv);
    const definitionId = await createDefinition(environment, {
      source: { protocol: 'local', path: filePath },
    });
    const started = await startRun(environment, definitionId);
    const handle = environment.temporal.workflow.getHandle(started.workflow_id);
    await handle.signal(pauseSignal);

    // The workflow stops before its first chunk once the plan is saved, and marks the job paused.
    for (let polls = 0; !(await readReport(environment, started.id)).paused; polls += 1) {
      expect(polls, 'the job never paused').toBeLessThan(100);
      await sleep(100);
    }
    await writeFile(
      path.join(environment.importRoot, filePath),
      smallCsv.slice(0, smallCsv.indexOf('carl@exa') + 'carl@exa'.length),
    );
    await handle.signal(resumeSignal);
    await handle.result().catch(() => undefined);
    const report = await readReport(environment, started.id);

    expect(report.status).toBe('FAILURE');
    const errors = (await readAllLogs(environment, report.id, 'ERROR')).map((entry) => entry.content);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^The file changed or was truncated while the job ran \(local file cut\.csv: /);
    expect(await environment.store.profiles.countDocuments({ _id: 'p-carl' })).toBe(1);
    expect(await environment.store.profiles.countDocuments({})).toBe(storedProfiles.length);
  });
});
