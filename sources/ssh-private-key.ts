import { createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
// ssh2 is CommonJS, and Node cannot see `utils` as a named export of it.
import ssh2 from 'ssh2';
import { SourceError } from './source-errors.js';

/** A private key in a form that ssh2 reads, with the passphrase it still needs. */
export interface SshLoginKey {
  privateKey: string;
  passphrase?: string;
}

/**
 * Checks an SFTP private key and its passphrase before any connection, so a wrong passphrase fails
 * at once instead of as a refused login. ssh2 reads OpenSSH keys and legacy PEM keys (`RSA PRIVATE
 * KEY`, `EC PRIVATE KEY`, encrypted or not) itself; PKCS#8 keys (`PRIVATE KEY`, `ENCRYPTED
 * PRIVATE KEY`) are decrypted here and handed over unencrypted, as PKCS#1 (RSA), SEC1 (ECDSA) or
 * OpenSSH (Ed25519).
 * @throws SourceError `access_denied` (not retryable) for a wrong or missing passphrase or a key
 *   that is not a private key. Messages never quote the key or the passphrase.
 */
// Limitation: every activity logs in anew, so an encrypted OpenSSH key is decrypted for each one
// (bcrypt_pbkdf in JavaScript, about 0.3 s for ssh-keygen's default 16 rounds on 2 cores).
export function prepareSshLoginKey(
  privateKey: string,
  passphrase: string | undefined,
  login: string,
): SshLoginKey {
  const keyError = (reason: string) =>
    new SourceError(`SFTP private key for ${login} rejected: ${reason}.`, 'access_denied', false);
  const text = privateKey.trim();
  if (/-----BEGIN (ENCRYPTED )?PRIVATE KEY-----/.test(text)) {
    return { privateKey: exportForSsh(decryptPkcs8(text, passphrase, keyError), keyError) };
  }

  const parsed = ssh2.utils.parseKey(text, passphrase);
  if (parsed instanceof Error) {
    if (/no passphrase given/i.test(parsed.message)) {
      throw keyError('the private key is encrypted: set passphrase');
    }
    if (passphrase !== undefined && /bad passphrase/i.test(parsed.message)) {
      throw keyError('wrong passphrase for the private key');
    }
    throw keyError('private_key is not an OpenSSH, PEM or PKCS#8 private key that can be read');
  }
  if (passphrase === undefined) {
    return { privateKey: text };
  }
  // ssh2 would decrypt the key again at login, which for OpenSSH keys costs as much as this parse.
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  const decrypted = createPrivateKey(key.getPrivatePEM());
  return { privateKey: exportForSsh(decrypted, keyError) };
}

type KeyErrorFactory = (reason: string) => SourceError;

function decryptPkcs8(text: string, passphrase: string | undefined, keyError: KeyErrorFactory): KeyObject {
  try {
    return createPrivateKey({
      key: text,
      format: 'pem',
      ...(passphrase === undefined ? {} : { passphrase }),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'ERR_MISSING_PASSPHRASE') {
      throw keyError('the private key is encrypted: set passphrase');
    }
    if (passphrase !== undefined && /BAD_DECRYPT|ERR_OSSL/.test(code)) {
      throw keyError('wrong passphrase for the private key');
    }
    throw keyError('private_key is not a PKCS#8 private key that can be read');
  }
}

function exportForSsh(key: KeyObject, keyError: KeyErrorFactory): string {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return key.export({ type: 'pkcs1', format: 'pem' }).toString();
    case 'ec':
      return key.export({ type: 'sec1', format: 'pem' }).toString();
    case 'ed25519':
      return ed25519ToOpenSsh(key);
    default:
      throw keyError(
        `private_key is a ${key.asymmetricKeyType ?? 'unknown'} key; SFTP logins take RSA, ECDSA or Ed25519 keys`,
      );
  }
}

/** Writes an Ed25519 key in the unencrypted `openssh-key-v1` format, the only Ed25519 form ssh2 reads. */
function ed25519ToOpenSsh(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  const secret = Buffer.from(jwk.d ?? '', 'base64url');
  const publicKey = Buffer.from(jwk.x ?? '', 'base64url');
  const keyType = Buffer.from('ssh-ed25519');
  const publicBlob = Buffer.concat([sshString(keyType), sshString(publicKey)]);

  const checkInteger = Buffer.alloc(4);
  checkInteger.writeUInt32BE(0x5eed5eed);
  const unpadded = Buffer.concat([
    checkInteger,
    checkInteger,
    publicBlob,
    sshString(Buffer.concat([secret, publicKey])),
    sshString(Buffer.alloc(0)),
  ]);
  // The private section is padded with 1, 2, 3, … to the cipher block size, 8 for "none".
  const padding = Buffer.from(
    Array.from({ length: (8 - (unpadded.length % 8)) % 8 }, (_, index) => index + 1),
  );

  const keyCount = Buffer.alloc(4);
  keyCount.writeUInt32BE(1);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    sshString(Buffer.from('none')),
    sshString(Buffer.from('none')),
    sshString(Buffer.alloc(0)),
    keyCount,
    sshString(publicBlob),
    sshString(Buffer.concat([unpadded, padding])),
  ]);
  const lines = body.toString('base64').match(/.{1,70}/g) ?? [];
  return ['-----BEGIN OPENSSH PRIVATE KEY-----', ...lines, '-----END OPENSSH PRIVATE KEY-----'].join('\n');
}

/** Encodes bytes as an SSH wire-format string: a 32-bit big-endian length, then the bytes. */
function sshString(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}
