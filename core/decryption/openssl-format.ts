import { createDecipheriv, createHash, pbkdf2Sync } from 'node:crypto';
import { DecryptionError } from './decryption-error.js';

/** AES block length in bytes; AES-CBC works on whole blocks. */
export const blockLength = 16;

/** Bytes before the first cipher block: `Salted__` followed by the 8-byte salt. */
export const headerLength = 16;

/** The command that writes files in the format this module reads; named in error messages. */
export const expectedCommand = 'openssl enc -aes-256-cbc -salt -pbkdf2 -iter N';

const magic = Buffer.from('Salted__', 'latin1');

/** AES-256 key and the IV of the first cipher block. */
export interface CipherKey {
  key: Buffer;
  iv: Buffer;
}

/**
 * Returns the 8-byte salt of an openssl header (`Salted__` + salt).
 * @throws DecryptionError `not_openssl_format` when the header is shorter or lacks `Salted__`.
 */
export function readSalt(header: Uint8Array, fileDescription: string): Buffer {
  if (header.length < headerLength || !Buffer.from(header.subarray(0, magic.length)).equals(magic)) {
    throw new DecryptionError(
      `${fileDescription} is not an openssl encrypted file: it does not start with "Salted__". ` +
        `Encrypt it with \`${expectedCommand}\`, or remove the definition's encryption settings if it is not encrypted.`,
      'not_openssl_format',
    );
  }
  return Buffer.from(header.subarray(magic.length, headerLength));
}

/**
 * Derives the key and IV as `openssl enc -pbkdf2 -iter N` does: 48 bytes of
 * PBKDF2-HMAC-SHA256(password, salt, N), the first 32 for the key and the last 16 for the IV.
 */
export function deriveKey(password: string, salt: Uint8Array, iterations: number): CipherKey {
  const bytes = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 48, 'sha256');
  return { key: bytes.subarray(0, 32), iv: bytes.subarray(32, 48) };
}

/**
 * Derives the key and IV as `openssl enc` does without `-pbkdf2` (EVP_BytesToKey, one round of
 * `digest`: SHA-256 since OpenSSL 1.1.0, MD5 before). Only used to recognise such files.
 */
export function deriveLegacyKey(password: string, salt: Uint8Array, digest: 'sha256' | 'md5'): CipherKey {
  const parts: Buffer[] = [];
  let previous = Buffer.alloc(0);
  while (Buffer.concat(parts).length < 48) {
    previous = createHash(digest)
      .update(Buffer.concat([previous, Buffer.from(password, 'utf8'), salt]))
      .digest();
    parts.push(previous);
  }
  const bytes = Buffer.concat(parts);
  return { key: bytes.subarray(0, 32), iv: bytes.subarray(32, 48) };
}

/** Decrypts whole AES-256-CBC blocks without removing padding. `cipher.length` is a multiple of 16. */
export function decryptBlocks(key: Uint8Array, iv: Uint8Array, cipher: Uint8Array): Buffer {
  const decipher = createDecipheriv('aes-256-cbc', key, iv);
  decipher.setAutoPadding(false);
  return Buffer.concat([decipher.update(cipher), decipher.final()]);
}

/**
 * Returns the PKCS#7 padding length (1 to 16) of a decrypted last block, or null when the block
 * does not end in valid padding, which is what a wrong key gives in all but about 1 case in 256.
 */
export function paddingLength(lastBlock: Uint8Array): number | null {
  const length = lastBlock[lastBlock.length - 1] ?? 0;
  if (length < 1 || length > blockLength) {
    return null;
  }
  for (let index = lastBlock.length - length; index < lastBlock.length; index += 1) {
    if (lastBlock[index] !== length) {
      return null;
    }
  }
  return length;
}

/**
 * Tells whether decrypted bytes can be the start of a text file. Control bytes other than tab,
 * line feed, carriage return and NUL (which UTF-16 text contains) appear in no CSV or JSON file,
 * while a wrong key gives at least one of them in 16 bytes about 84% of the time.
 */
export function looksLikeText(bytes: Uint8Array): boolean {
  for (const byte of bytes) {
    const isControl = byte < 0x20 || byte === 0x7f;
    if (isControl && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x00) {
      return false;
    }
  }
  return true;
}
