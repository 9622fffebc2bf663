import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { SealedSecret } from '../core/definition.js';
import type { Settings } from '../core/settings.js';

/** A 32-byte AES-256-GCM key and its id, which sealed secrets store to find the key again. */
interface SecretKey {
  id: string;
  key: Buffer;
}

/**
 * The keys that seal and unseal secrets at rest. New secrets are sealed with the current key. A
 * secret sealed with an earlier key is unsealed with that key as long as it stays listed.
 * A key's id is a hash of the key itself, so two different keys never share an id.
 */
export interface SecretKeyring {
  current: SecretKey;
  byId: ReadonlyMap<string, SecretKey>;
}

/** Thrown when a sealed secret cannot be unsealed: its key is no longer listed, or it was altered. */
export class SecretUnsealError extends Error {
  override readonly name = 'SecretUnsealError';

  constructor(
    message: string,
    readonly keyId: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Builds a keyring from base64 keys of 32 bytes: the current one and earlier ones.
 * @throws Error when a key is not 32 bytes of base64; the message never shows the key.
 */
export function createSecretKeyring(options: { currentKey: string; previousKeys?: string[] }): SecretKeyring {
  const current = readKey(options.currentKey, 'the current secret key');
  const byId = new Map<string, SecretKey>([[current.id, current]]);
  for (const [index, text] of (options.previousKeys ?? []).entries()) {
    const key = readKey(text, `earlier secret key number ${index + 1}`);
    byId.set(key.id, key);
  }
  return { current, byId };
}

/**
 * Builds the keyring of a deployment from `PROFILE_JOBS_SECRET_KEY` and `PROFILE_JOBS_SECRET_KEYS`.
 * @throws Error when no secret key is configured, so that a server never starts unable to seal.
 */
export function secretKeyringFromSettings(
  settings: Pick<Settings, 'secretKey' | 'previousSecretKeys'>,
): SecretKeyring {
  if (settings.secretKey === undefined) {
    throw new Error(
      'PROFILE_JOBS_SECRET_KEY is not set; set it to 32 random bytes in base64, for example from `openssl rand -base64 32`',
    );
  }
  return createSecretKeyring({ currentKey: settings.secretKey, previousKeys: settings.previousSecretKeys });
}

/**
 * Encrypts `plaintext` with the keyring's current key. `context` is bound to the result as
 * additional authenticated data (for example `<definition id>/webhook.secret`), so a sealed value
 * copied to another definition or field fails to unseal.
 */
export function sealSecret(keyring: SecretKeyring, plaintext: string, context: string): SealedSecret {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyring.current.key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);

  return {
    sealed: 'aes-256-gcm',
    key_id: keyring.current.id,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
}

/**
 * Decrypts a sealed secret.
 * @throws SecretUnsealError when its key is not in the keyring, or when the value or its context
 *   does not match what was sealed.
 */
export function unsealSecret(keyring: SecretKeyring, sealed: SealedSecret, context: string): string {
  const key = keyring.byId.get(sealed.key_id);
  if (key === undefined) {
    throw new SecretUnsealError(
      `The secret ${context} was sealed with key ${sealed.key_id}, which is not configured; ` +
        'list that key in PROFILE_JOBS_SECRET_KEYS or set the secret again',
      sealed.key_id,
    );
  }

  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  } catch (error) {
    throw new SecretUnsealError(
      `The secret ${context} could not be unsealed with key ${sealed.key_id}: it was altered or belongs elsewhere; set it again`,
      sealed.key_id,
      { cause: error },
    );
  }
}

/** True for a value in the shape that `sealSecret` returns. */
export function isSealedSecret(value: unknown): value is SealedSecret {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { sealed?: unknown }).sealed === 'aes-256-gcm' &&
    typeof (value as { key_id?: unknown }).key_id === 'string'
  );
}

function readKey(text: string, what: string): SecretKey {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text.trim())) {
    throw new Error(`${what} must be 32 random bytes in base64 (44 characters); got ${key.length} bytes`);
  }
  // The id is a fingerprint: a hash of the key, never the key, so it may appear in stored documents.
  const id = createHash('sha256')
    .update('profile-jobs secret key id\0')
    .update(key)
    .digest('hex')
    .slice(0, 16);
  return { id, key };
}
