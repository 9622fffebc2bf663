import { TextDecoder } from 'node:util';

import type { TextEncoding } from '../file-format.js';

/** A text encoding with its byte order settled, as the decoder uses it. */
export type ResolvedTextEncoding = Exclude<TextEncoding, 'utf-16'>;

const displayNames: Record<ResolvedTextEncoding, string> = {
  'utf-8': 'UTF-8',
  'utf-16le': 'UTF-16LE',
  'utf-16be': 'UTF-16BE',
  'iso-8859-1': 'ISO-8859-1',
  'windows-1252': 'Windows-1252',
};

/** Bytes that Windows-1252 leaves undefined. WHATWG decoders map them to C1 controls, but a file that contains them was written in another encoding. */
const undefinedWindows1252Bytes = [0x81, 0x8d, 0x8f, 0x90, 0x9d];

const lineFeed = 0x0a;

/**
 * Thrown by {@link TextChunkDecoder} when bytes are not valid in the chosen encoding.
 * The decoder has no line count, so it reports the line feeds between the end of the text it has
 * already returned and the invalid byte, and the reader adds its own line count.
 */
export class InvalidTextError extends Error {
  override readonly name = 'InvalidTextError';

  constructor(
    /** Display name of the encoding, such as `UTF-8`. */
    readonly encodingName: string,
    /** Byte offset of the first invalid byte, counted from the file's first byte. */
    readonly byteOffset: number,
    /** Line feeds between the end of the text already returned and the invalid byte. */
    readonly pendingLineFeeds: number,
  ) {
    super(`not valid ${encodingName} at byte offset ${byteOffset}`);
  }
}

/**
 * Settles the byte order of `encoding` from the file's first bytes and returns the length of its
 * byte-order mark (0 when there is none). `utf-16` without a mark is read as little-endian. A UTF-8
 * mark counts only for `utf-8`, and a UTF-16 mark only for the UTF-16 encodings.
 */
export function detectTextEncoding(
  encoding: TextEncoding,
  firstBytes: Uint8Array,
): { encoding: ResolvedTextEncoding; bomLength: number } {
  const [first, second, third] = firstBytes;

  if (encoding === 'utf-8') {
    const hasBom = first === 0xef && second === 0xbb && third === 0xbf;
    return { encoding, bomLength: hasBom ? 3 : 0 };
  }

  const littleEndianBom = first === 0xff && second === 0xfe;
  const bigEndianBom = first === 0xfe && second === 0xff;
  if (encoding === 'utf-16') {
    if (bigEndianBom) return { encoding: 'utf-16be', bomLength: 2 };
    return { encoding: 'utf-16le', bomLength: littleEndianBom ? 2 : 0 };
  }
  if (encoding === 'utf-16le') return { encoding, bomLength: littleEndianBom ? 2 : 0 };
  if (encoding === 'utf-16be') return { encoding, bomLength: bigEndianBom ? 2 : 0 };

  return { encoding, bomLength: 0 };
}

/**
 * Decodes a byte stream chunk by chunk in one encoding, rejecting invalid bytes instead of writing
 * U+FFFD. A character split across chunks is held back until its last byte arrives, so each
 * returned string covers whole characters and its byte length is exact.
 */
export class TextChunkDecoder {
  /** Length of the byte-order mark skipped at the start of the file, or 0 when there is none or no text was returned yet. */
  bomLength = 0;
  /** Byte length of the text returned by the last call to {@link decode} or {@link end}. */
  lastByteLength = 0;

  private encoding: ResolvedTextEncoding | undefined;
  private decoder: TextDecoder | undefined;
  private pending: Uint8Array = new Uint8Array(0);
  /** File offset of the first byte not yet consumed. The mark and the bytes of returned text count as consumed. */
  private consumedBytes: number;

  /**
   * @param encoding the configured encoding. The byte-order mark settles the byte order of `utf-16`.
   * @param startOffset byte offset of the first chunk in the file. Above 0 no byte-order mark is
   *   looked for, so `utf-16` must then be given as `utf-16le` or `utf-16be`.
   */
  constructor(
    private readonly configuredEncoding: TextEncoding,
    startOffset: number,
  ) {
    this.consumedBytes = startOffset;
    if (startOffset > 0) {
      if (configuredEncoding === 'utf-16') {
        throw new RangeError(
          'encoding utf-16 needs the byte-order mark at the start of the file. Pass utf-16le or utf-16be to read from an offset.',
        );
      }
      this.settleEncoding(configuredEncoding, 0);
    }
  }

  /** Decodes one chunk and returns the text of its complete characters (possibly empty). */
  decode(chunk: Uint8Array): string {
    const bytes = this.pending.length === 0 ? chunk : concatBytes(this.pending, chunk);
    return this.decodeAvailable(bytes, false);
  }

  /** Decodes the bytes held back at the end of the input; throws if they are an incomplete character. */
  end(): string {
    return this.decodeAvailable(this.pending, true);
  }

  private decodeAvailable(bytes: Uint8Array, atEnd: boolean): string {
    let start = 0;
    if (this.encoding === undefined) {
      // A byte-order mark needs up to three bytes to be recognised, and chunks may be one byte long.
      if (bytes.length < 3 && !atEnd) {
        this.keepPending(bytes, 0);
        return '';
      }
      const detected = detectTextEncoding(this.configuredEncoding, bytes);
      this.settleEncoding(detected.encoding, detected.bomLength);
      start = detected.bomLength;
    }

    const end = atEnd ? bytes.length : completeCharactersEnd(this.encoding!, bytes);
    const text = this.decodeComplete(bytes.subarray(start, end), this.consumedBytes + start);
    this.consumedBytes += end;
    this.keepPending(bytes, end);
    this.lastByteLength = end - start;
    return text;
  }

  private settleEncoding(encoding: ResolvedTextEncoding, bomLength: number): void {
    this.encoding = encoding;
    this.bomLength = bomLength;
    if (encoding !== 'iso-8859-1') {
      this.decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
    }
  }

  private keepPending(bytes: Uint8Array, from: number): void {
    // Copy, because the caller may reuse the chunk's memory after this call.
    this.pending = from >= bytes.length ? new Uint8Array(0) : bytes.slice(from);
  }

  /** Decodes whole characters. `byteOffset` is the file offset of `bytes[0]`, for error messages. */
  private decodeComplete(bytes: Uint8Array, byteOffset: number): string {
    const encoding = this.encoding!;

    if (encoding === 'iso-8859-1') {
      // WHATWG's TextDecoder reads the label iso-8859-1 as Windows-1252, so Buffer's latin1 is used for the real table.
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    }

    if (encoding === 'windows-1252') {
      const invalidAt = findUndefinedWindows1252Byte(bytes);
      if (invalidAt !== -1) throw this.invalidTextError(bytes, byteOffset, invalidAt);
    }

    try {
      return this.decoder!.decode(bytes);
    } catch (error) {
      // Windows-1252 maps every byte left after the check above, so only UTF-8 and UTF-16 throw here.
      if (!(error instanceof TypeError) || encoding === 'windows-1252') throw error;
      const invalidAt = encoding === 'utf-8' ? findInvalidUtf8(bytes) : findInvalidUtf16(bytes, encoding);
      throw this.invalidTextError(bytes, byteOffset, invalidAt);
    }
  }

  private invalidTextError(bytes: Uint8Array, byteOffset: number, invalidAt: number): InvalidTextError {
    const encoding = this.encoding!;
    let lineFeeds = 0;
    if (encoding === 'utf-16le' || encoding === 'utf-16be') {
      const lowByteFirst = encoding === 'utf-16le';
      for (let index = 0; index + 2 <= invalidAt; index += 2) {
        const low = lowByteFirst ? bytes[index] : bytes[index + 1];
        const high = lowByteFirst ? bytes[index + 1] : bytes[index];
        if (low === lineFeed && high === 0) lineFeeds += 1;
      }
    } else {
      for (let index = 0; index < invalidAt; index++) {
        if (bytes[index] === lineFeed) lineFeeds += 1;
      }
    }
    return new InvalidTextError(displayNames[encoding], byteOffset + invalidAt, lineFeeds);
  }
}

/** Returns the end of the last complete character in `bytes`, so the rest can wait for the next chunk. */
function completeCharactersEnd(encoding: ResolvedTextEncoding, bytes: Uint8Array): number {
  const length = bytes.length;

  if (encoding === 'utf-8') {
    for (let index = length - 1; index >= Math.max(0, length - 3); index--) {
      const byte = bytes[index]!;
      if ((byte & 0xc0) === 0x80) continue;
      return length - index < utf8SequenceLength(byte) ? index : length;
    }
    return length;
  }

  if (encoding === 'utf-16le' || encoding === 'utf-16be') {
    const even = length - (length % 2);
    if (even === 0) return 0;
    const highByte = encoding === 'utf-16le' ? bytes[even - 1]! : bytes[even - 2]!;
    // A high surrogate waits for its low surrogate, which may start the next chunk.
    const endsWithHighSurrogate = highByte >= 0xd8 && highByte <= 0xdb;
    return endsWithHighSurrogate ? even - 2 : even;
  }

  return length;
}

/** Returns the length of the UTF-8 sequence that `lead` starts, judged by its high bits only. */
function utf8SequenceLength(lead: number): number {
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

function concatBytes(first: Uint8Array, second: Uint8Array): Uint8Array {
  const joined = new Uint8Array(first.length + second.length);
  joined.set(first, 0);
  joined.set(second, first.length);
  return joined;
}

function findUndefinedWindows1252Byte(bytes: Uint8Array): number {
  let first = -1;
  for (const value of undefinedWindows1252Bytes) {
    const index = bytes.indexOf(value);
    if (index !== -1 && (first === -1 || index < first)) first = index;
  }
  return first;
}

/** Returns the index of the first byte that does not belong to a well-formed UTF-8 sequence (RFC 3629). */
function findInvalidUtf8(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index]!;
    if (lead < 0x80) {
      index += 1;
      continue;
    }

    let length: number;
    let min = 0x80;
    let max = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      // Reject overlong forms (E0 80..9F) and UTF-16 surrogates (ED A0..BF).
      if (lead === 0xe0) min = 0xa0;
      if (lead === 0xed) max = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      // Reject overlong forms (F0 80..8F) and code points above U+10FFFF (F4 90..BF).
      if (lead === 0xf0) min = 0x90;
      if (lead === 0xf4) max = 0x8f;
    } else {
      return index;
    }

    for (let offset = 1; offset < length; offset++) {
      const byte = bytes[index + offset];
      const allowedMin = offset === 1 ? min : 0x80;
      const allowedMax = offset === 1 ? max : 0xbf;
      if (byte === undefined || byte < allowedMin || byte > allowedMax) return index;
    }
    index += length;
  }
  return bytes.length;
}

/** Returns the byte index of the first unpaired surrogate or of a trailing odd byte. */
function findInvalidUtf16(bytes: Uint8Array, encoding: 'utf-16le' | 'utf-16be'): number {
  const readUnit = (index: number): number =>
    encoding === 'utf-16le'
      ? bytes[index]! | (bytes[index + 1]! << 8)
      : (bytes[index]! << 8) | bytes[index + 1]!;

  let index = 0;
  while (index + 1 < bytes.length) {
    const unit = readUnit(index);
    if (unit >= 0xdc00 && unit <= 0xdfff) return index;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      if (index + 3 >= bytes.length) return index;
      const next = readUnit(index + 2);
      if (next < 0xdc00 || next > 0xdfff) return index;
      index += 4;
      continue;
    }
    index += 2;
  }
  return index;
}
