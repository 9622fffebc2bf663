import { decodeBase64Range, detectBase64Layout, planBase64Read } from '../core/decryption/base64-layout.js';
import { DecryptionError } from '../core/decryption/decryption-error.js';
import type { EncryptionSettings } from '../core/source-settings.js';
import { readExactRange } from './file-source.js';
import type { ByteRange, FileSource, FileStat } from './file-source.js';

/**
 * The bytes that openssl wrote (`Salted__`, salt, cipher blocks), whatever the file's format:
 * the file itself for `binary`, its decoded text for `base64`.
 */
export interface EncryptedBytes {
  /** Bytes, header included. */
  size: number;
  /**
   * Streams the bytes [start, end), with end <= size.
   * @throws SourceError `file_changed` when the file ends early; DecryptionError for base64 text
   *   that breaks the layout of its first line.
   */
  read(range: ByteRange): AsyncIterable<Uint8Array>;
}

/** Bytes read from the start of a base64 file to find its line length; a longer first line is the only line. */
const base64HeadLength = 64 * 1024;
/** Bytes read from the end of a base64 file to find its trailing line breaks and padding. */
const base64TailLength = 64;

/**
 * Opens the encrypted bytes of a file in the chosen format. For base64, reads the first 64 KiB and
 * the last 64 bytes to learn the line layout.
 * @throws DecryptionError when the file is plainly in the other format or is not base64;
 *   SourceError from the reads.
 */
export async function openEncryptedBytes(
  source: FileSource,
  fileStat: FileStat,
  format: EncryptionSettings['format'],
): Promise<EncryptedBytes> {
  if (format === 'binary') {
    return { size: fileStat.size, read: (range) => readExactRange(source, range) };
  }

  const head = await readAll(source, { start: 0, end: Math.min(fileStat.size, base64HeadLength) });
  if (Buffer.from(head.subarray(0, 8)).toString('latin1') === 'Salted__') {
    throw new DecryptionError(
      `${source.description} is a binary openssl file, not base64: set encryption.format to binary.`,
      'not_openssl_format',
    );
  }
  const tail = await readAll(source, {
    start: Math.max(0, fileStat.size - base64TailLength),
    end: fileStat.size,
  });
  const layout = detectBase64Layout(head, tail, fileStat.size, source.description);

  return {
    size: layout.decodedSize,
    read: async function* (range) {
      if (range.end <= range.start) {
        return;
      }
      const plan = planBase64Read(layout, range.start, range.end);
      const fileBytes = readExactRange(source, { start: plan.fileStart, end: plan.fileEnd });
      yield* decodeBase64Range(fileBytes, layout, plan, range.end - range.start, source.description);
    },
  };
}

/** Reads a small range into one buffer. */
export async function readAll(
  bytes: Pick<EncryptedBytes, 'read'> | FileSource,
  range: ByteRange,
): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  const chunks = 'stat' in bytes ? readExactRange(bytes, range) : bytes.read(range);
  for await (const chunk of chunks) {
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}
