import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Storage } from '@google-cloud/storage';
import type { FileServers } from '../global-setup.js';

const execFileAsync = promisify(execFile);

export interface OpensslOptions {
  password: string;
  /** `-iter`; 10000 unless set. */
  iterations?: number;
  /** `-a`: base64 in lines of 64 characters. */
  base64?: boolean;
  /** `-A` with `-a`: base64 on one line. */
  singleLine?: boolean;
  /** False leaves out `-pbkdf2 -iter`, so openssl uses its old key derivation. */
  pbkdf2?: boolean;
}

/** Encrypts `plain` with the real `openssl enc -aes-256-cbc -salt` command. */
export async function encryptWithOpenssl(
  plain: string | Uint8Array,
  options: OpensslOptions,
): Promise<Buffer> {
  const args = ['enc', '-aes-256-cbc', '-salt'];
  if (options.pbkdf2 !== false) args.push('-pbkdf2', '-iter', String(options.iterations ?? 10_000));
  if (options.base64) args.push('-a');
  if (options.singleLine) args.push('-A');
  // The password goes through the environment, so it never shows in a process list.
  args.push('-pass', 'env:PROFILE_JOBS_TEST_PASSWORD');

  const child = execFileAsync('openssl', args, {
    env: { ...process.env, PROFILE_JOBS_TEST_PASSWORD: options.password },
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
  child.child.stdin?.end(plain);
  const { stdout } = await child;
  return stdout;
}

/** Private keys made with ssh-keygen and openssl, all encrypted with the passphrase `kp`. */
export interface SshTestKeys {
  /** OpenSSH format, `ssh-keygen -t ed25519 -N kp`. */
  openSshEd25519: string;
  /** Legacy PEM, `-----BEGIN RSA PRIVATE KEY-----` with `Proc-Type: 4,ENCRYPTED` (AES-128-CBC). */
  legacyRsa: string;
  /** PKCS#8, `-----BEGIN ENCRYPTED PRIVATE KEY-----`, from `openssl genpkey -aes-256-cbc`. */
  pkcs8Rsa: string;
}

export const sshKeyPassphrase = 'kp';

/**
 * Makes the three kinds of test keys in `folder` and lets them log in to the stack's SFTP server
 * by appending their public keys to its authorized_keys file.
 */
export async function makeSshTestKeys(folder: string, sftp: FileServers['sftp']): Promise<SshTestKeys> {
  const ed25519 = path.join(folder, 'id_ed25519');
  const legacyRsa = path.join(folder, 'id_rsa_pem');
  const pkcs8Rsa = path.join(folder, 'id_rsa_pkcs8');

  const rsaKeyOptions = ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'];
  const passphraseOption = `pass:${sshKeyPassphrase}`;
  await Promise.all([
    execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', sshKeyPassphrase, '-C', 'test', '-f', ed25519]),
    // ssh-keygen writes legacy PEM only with passphrases of 5 characters or more, so openssl
    // encrypts this one: `openssl rsa -traditional` gives `RSA PRIVATE KEY` with `Proc-Type`.
    (async () => {
      const { stdout: plainKey } = await execFileAsync('openssl', ['genpkey', ...rsaKeyOptions]);
      const converting = execFileAsync('openssl', [
        'rsa',
        '-aes128',
        '-traditional',
        '-passout',
        passphraseOption,
        '-out',
        legacyRsa,
      ]);
      converting.child.stdin?.end(plainKey);
      await converting;
    })(),
    execFileAsync('openssl', [
      'genpkey',
      ...rsaKeyOptions,
      '-aes-256-cbc',
      '-pass',
      passphraseOption,
      '-out',
      pkcs8Rsa,
    ]),
  ]);

  const publicKeys = await Promise.all(
    [ed25519, legacyRsa, pkcs8Rsa].map(async (keyFile) => {
      const { stdout } = await execFileAsync('ssh-keygen', ['-y', '-P', sshKeyPassphrase, '-f', keyFile]);
      return stdout.trim();
    }),
  );
  // One append of whole lines, so parallel test files never interleave their keys.
  await appendFile(sftp.authorizedKeysFile, publicKeys.map((key) => `${key}\n`).join(''));

  return {
    openSshEd25519: await readFile(ed25519, 'utf8'),
    legacyRsa: await readFile(legacyRsa, 'utf8'),
    pkcs8Rsa: await readFile(pkcs8Rsa, 'utf8'),
  };
}

/** Writes a file that the SFTP server serves at `name`, relative to the login folder. */
export async function writeSftpFile(
  sftp: FileServers['sftp'],
  name: string,
  content: string | Uint8Array,
): Promise<string> {
  await writeFile(path.join(sftp.filesDir, name), content, { mode: 0o644 });
  return name;
}

/** Returns a bucket name that no other test uses. */
export function uniqueBucketName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Creates a bucket on the stack's S3 server and returns a function that puts objects in it. */
export async function createS3Bucket(
  s3: FileServers['s3'],
  bucket: string,
): Promise<(key: string, content: string | Uint8Array) => Promise<void>> {
  const client = new S3Client({
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return async (key, content) => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from(content) }));
  };
}

/** Creates a bucket on the stack's GCS emulator and returns a function that uploads objects to it. */
export async function createGcsBucket(
  gcs: FileServers['gcs'],
  bucket: string,
): Promise<(name: string, content: string | Uint8Array) => Promise<void>> {
  const storage = new Storage({ projectId: 'profile-jobs-test', apiEndpoint: gcs.endpoint });
  await storage.createBucket(bucket);
  return async (name, content) => {
    await storage.bucket(bucket).file(name).save(Buffer.from(content), { resumable: false });
  };
}

/**
 * Makes a service-account key with a real RSA private key, as Google's key files have. The emulator
 * ignores credentials, so the key only needs to be well formed.
 */
export async function fakeServiceAccountKey(): Promise<Record<string, string>> {
  const { stdout: privateKey } = await execFileAsync('openssl', [
    'genpkey',
    '-algorithm',
    'RSA',
    '-pkeyopt',
    'rsa_keygen_bits:2048',
  ]);
  return {
    type: 'service_account',
    project_id: 'profile-jobs-test',
    private_key_id: randomUUID(),
    private_key: privateKey,
    client_email: 'reader@profile-jobs-test.iam.gserviceaccount.com',
    client_id: '100000000000000000000',
  };
}
