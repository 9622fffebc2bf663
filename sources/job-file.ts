import { decryptCbcRange, planCbcRead } from '../core/decryption/cbc-range.js';
import { DecryptionError } from '../core/decryption/decryption-error.js';
import {
  blockLength,
  decryptBlocks,
  deriveKey,
  deriveLegacyKey,
  expectedCommand,
  headerLength,
  looksLikeText,
  paddingLength,
  readSalt,
} from '../core/decryption/openssl-format.js';
import type { CipherKey } from '../core/decryption/openssl-format.js';
import type { EncryptionSettings } from '../core/source-settings.js';
import { openEncryptedBytes, readAll } from './encrypted-bytes.js';
import type { EncryptedBytes } from './encrypted-bytes.js';
import { fileChanged, readExactRange } from './file-source.js';
import type { FileSource, FileStat } from './file-source.js';

/** A plaintext range [start, end); `end` unset means the end of the plaintext. */
export interface PlainRange {
  start: number;
  end?: number;
}

/** Decryption state of an encrypted file, prepared once per reader: its bytes, key and plaintext size. */
interface Decryption {
  bytes: EncryptedBytes;
  key: CipherKey;
  plainSize: number;
}

/**
 * The file of a job as plaintext: a source, and the definition's encryption settings when the
 * file is encrypted with `openssl enc -aes-256-cbc -salt -pbkdf2`. Offsets of `readPlainRange`
 * count plaintext bytes, so the plan and the chunks agree on them whether or not the file is
 * encrypted, while `stat` describes the stored file, which chunks compare with the plan's.
 */
export class JobFile implements AsyncDisposable {
  private fileStat: FileStat | undefined;
  private decryption: Promise<Decryption> | undefined;

  constructor(
    private readonly source: FileSource,
    private readonly encryption?: EncryptionSettings,
  ) {}

  /** Names the file and its store for log lines, without secrets. */
  get description(): string {
    return this.source.description;
  }

  /**
   * Size in bytes and version tag of the stored file (encrypted, when it is).
   * @throws SourceError
   */
  async stat(): Promise<FileStat> {
    this.fileStat = await this.source.stat();
    return this.fileStat;
  }

  /**
   * Size of the plaintext in bytes. For an encrypted file this reads and checks the header and the
   * last block, so a wrong password fails here before any record is read.
   * @throws SourceError; DecryptionError for a file that cannot be decrypted with the settings.
   */
  async plainSize(): Promise<number> {
    if (this.encryption === undefined) {
      return (this.fileStat ?? (await this.stat())).size;
    }
    return (await this.prepareDecryption(this.encryption)).plainSize;
  }

  /**
   * Streams the plaintext bytes [start, end) and checks that exactly that many arrive.
   * @throws SourceError `file_changed` when the file ends early or is shorter than `end`;
   *   DecryptionError as `plainSize`; RangeError for a range with start > end or start < 0.
   */
  async *readPlainRange(range: PlainRange): AsyncGenerator<Uint8Array> {
    const plainSize = await this.plainSize();
    const end = range.end ?? plainSize;
    if (!Number.isSafeInteger(range.start) || range.start < 0 || end < range.start) {
      throw new RangeError(`invalid plaintext range [${range.start}, ${end})`);
    }
    if (end > plainSize) {
      throw fileChanged(this.source, `the plaintext ends at byte ${plainSize}, before byte ${end}`);
    }
    if (end === range.start) {
      return;
    }

    if (this.encryption === undefined) {
      yield* readExactRange(this.source, { start: range.start, end });
      return;
    }

    const { bytes, key } = await this.prepareDecryption(this.encryption);
    const plan = planCbcRead(range.start, end);
    const cipher = bytes.read({ start: plan.cipherStart, end: plan.cipherEnd });
    let received = 0;
    for await (const chunk of decryptCbcRange(cipher, plan, key.key, key.iv, end - range.start)) {
      received += chunk.length;
      yield chunk;
    }
    if (received !== end - range.start) {
      throw fileChanged(this.source, `it gave ${received} of ${end - range.start} plaintext bytes`);
    }
  }

  /** Closes the source's connection, if it has one. */
  async close(): Promise<void> {
    await this.source.close?.();
  }

  /** Lets `await using` close the file when the block that opened it ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private prepareDecryption(encryption: EncryptionSettings): Promise<Decryption> {
    if (this.decryption === undefined) {
      const attempt = this.readDecryption(encryption);
      // A failed preparation is not kept, so a retry within the same reader starts over.
      attempt.catch(() => {
        if (this.decryption === attempt) this.decryption = undefined;
      });
      this.decryption = attempt;
    }
    return this.decryption;
  }

  private async readDecryption(encryption: EncryptionSettings): Promise<Decryption> {
    const fileStat = this.fileStat ?? (await this.stat());
    const description = this.source.description;
    const bytes = await openEncryptedBytes(this.source, fileStat, encryption.format);

    const header = await readAll(bytes, { start: 0, end: Math.min(bytes.size, headerLength) });
    if (encryption.format === 'binary' && header.subarray(0, 8).toString('latin1') === 'U2FsdGVk') {
      throw new DecryptionError(
        `${description} is base64 (it starts with "U2FsdGVk"): set encryption.format to base64.`,
        'not_openssl_format',
      );
    }
    const salt = readSalt(header, description);

    const cipherLength = bytes.size - headerLength;
    if (cipherLength < blockLength || cipherLength % blockLength !== 0) {
      throw new DecryptionError(
        `${description} is not valid output of \`${expectedCommand}\`: after the 16-byte header it contains ` +
          `${cipherLength} bytes, expected a positive multiple of 16. It may be cut short.`,
        'malformed',
      );
    }

    const key = deriveKey(encryption.password, salt, encryption.pbkdf2_iterations);
    const ends = await readEnds(bytes);
    const plainSize = checkKey(key, ends, bytes.size);
    if (plainSize === null) {
      throw wrongKeyError(encryption.password, salt, ends, bytes.size, description);
    }
    return { bytes, key, plainSize };
  }
}

/** The first cipher block, and the last one with the block before it (the IV when it is the first). */
interface CipherEnds {
  firstBlock: Buffer;
  beforeLastBlock: Buffer | null;
  lastBlock: Buffer;
}

async function readEnds(bytes: EncryptedBytes): Promise<CipherEnds> {
  const firstBlock = await readAll(bytes, { start: headerLength, end: headerLength + blockLength });
  if (bytes.size === headerLength + blockLength) {
    return { firstBlock, beforeLastBlock: null, lastBlock: firstBlock };
  }
  const lastTwo = await readAll(bytes, { start: bytes.size - 2 * blockLength, end: bytes.size });
  return {
    firstBlock,
    beforeLastBlock: lastTwo.subarray(0, blockLength),
    lastBlock: lastTwo.subarray(blockLength),
  };
}

/**
 * Decrypts the last block (its padding must be valid) and the first one (it must look like text).
 * Returns the plaintext size, or null when the key is wrong.
 *
 * Limitation: a wrong key passes both checks about once in 1,600 tries (1/256 for the padding,
 * times 16% for the text). The job then fails on the first record as a file that is not valid in
 * its encoding or format, instead of naming the password.
 */
function checkKey(key: CipherKey, ends: CipherEnds, encryptedSize: number): number | null {
  const lastPlain = decryptBlocks(key.key, ends.beforeLastBlock ?? key.iv, ends.lastBlock);
  const padding = paddingLength(lastPlain);
  if (padding === null) {
    return null;
  }

  const plainSize = encryptedSize - headerLength - padding;
  const firstPlain = decryptBlocks(key.key, key.iv, ends.firstBlock).subarray(0, plainSize);
  return looksLikeText(firstPlain) ? plainSize : null;
}

/** Tells a file made without `-pbkdf2` apart from a wrong password, since both fail the key check. */
function wrongKeyError(
  password: string,
  salt: Buffer,
  ends: CipherEnds,
  encryptedSize: number,
  description: string,
): DecryptionError {
  const legacyKeys = [deriveLegacyKey(password, salt, 'sha256'), deriveLegacyKey(password, salt, 'md5')];
  if (legacyKeys.some((legacyKey) => checkKey(legacyKey, ends, encryptedSize) !== null)) {
    return new DecryptionError(
      `${description} was encrypted without -pbkdf2 (openssl's old key derivation), which is not supported. ` +
        `Encrypt it again with \`${expectedCommand}\` and set encryption.pbkdf2_iterations to N.`,
      'old_key_derivation',
    );
  }
  return new DecryptionError(
    `could not decrypt: wrong password or iteration count for ${description}. ` +
      `Check encryption.password and encryption.pbkdf2_iterations (the -iter value of \`${expectedCommand}\`).`,
    'wrong_password',
  );
}
