import { createDecipheriv } from 'node:crypto';
import { blockLength, headerLength } from './openssl-format.js';

/**
 * Range of the encrypted bytes to read (the decoded file, header included) to decrypt the
 * plaintext bytes [start, end). AES-CBC decrypts a block from the block before it, so a read that
 * starts past the first block also reads the previous cipher block and uses it as the IV.
 */
export interface CbcReadPlan {
  /** Byte range [cipherStart, cipherEnd) of the encrypted bytes. */
  cipherStart: number;
  cipherEnd: number;
  /** True when the first 16 bytes read are the IV; false when the range starts at the first block. */
  ivInRange: boolean;
  /** Plaintext bytes to drop before `start`. */
  skipBytes: number;
}

/** Plans a read of the plaintext bytes [start, end), with 0 <= start < end. */
export function planCbcRead(start: number, end: number): CbcReadPlan {
  const firstBlock = Math.floor(start / blockLength);
  const lastBlock = Math.floor((end - 1) / blockLength);
  const ivInRange = firstBlock > 0;
  return {
    cipherStart: headerLength + (firstBlock - (ivInRange ? 1 : 0)) * blockLength,
    cipherEnd: headerLength + (lastBlock + 1) * blockLength,
    ivInRange,
    skipBytes: start - firstBlock * blockLength,
  };
}

/**
 * Decrypts the encrypted bytes that `planCbcRead` planned and yields exactly the plaintext bytes
 * [start, start + length), or fewer when `cipherBytes` ends early (the caller checks the length).
 * `firstIv` is the IV derived from the password, used when the range starts at the first block.
 * Padding is not checked here: the range ends at or before the plaintext's end.
 */
export async function* decryptCbcRange(
  cipherBytes: AsyncIterable<Uint8Array>,
  plan: CbcReadPlan,
  key: Uint8Array,
  firstIv: Uint8Array,
  length: number,
): AsyncGenerator<Uint8Array> {
  let ivBytes: Uint8Array = plan.ivInRange ? new Uint8Array(0) : firstIv;
  let decipher = plan.ivInRange ? null : createCbcDecipher(key, firstIv);
  let skip = plan.skipBytes;
  let remaining = length;

  for await (let chunk of cipherBytes) {
    if (decipher === null) {
      const needed = blockLength - ivBytes.length;
      ivBytes = Buffer.concat([ivBytes, chunk.subarray(0, needed)]);
      chunk = chunk.subarray(needed);
      if (ivBytes.length < blockLength) {
        continue;
      }
      decipher = createCbcDecipher(key, ivBytes);
    }

    let plain: Uint8Array = decipher.update(chunk);
    const dropped = Math.min(skip, plain.length);
    plain = plain.subarray(dropped, dropped + remaining);
    skip -= dropped;
    remaining -= plain.length;
    if (plain.length > 0) {
      yield plain;
    }
    if (remaining === 0) {
      return;
    }
  }
}

function createCbcDecipher(key: Uint8Array, iv: Uint8Array) {
  const decipher = createDecipheriv('aes-256-cbc', key, iv);
  decipher.setAutoPadding(false);
  return decipher;
}
