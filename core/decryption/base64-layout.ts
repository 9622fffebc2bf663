import { DecryptionError } from './decryption-error.js';

/**
 * Line layout of a base64 file, which places each base64 character at a known offset. `openssl enc -a` writes lines of 64 characters,
 * `-A` one line, and tools such as `base64` 76; every line but the last has `lineLength`
 * characters followed by the same line break. That rule lets a reader find the characters of any
 * decoded byte without reading the lines before it.
 */
export interface Base64Layout {
  /** Base64 characters on each full line; Infinity for a file of one line. */
  lineLength: number;
  /** Bytes of each line break: 1 for `\n`, 2 for `\r\n`. */
  lineBreakLength: number;
  /** Base64 characters in the file, a multiple of 4. */
  characterCount: number;
  /** Bytes the characters decode to. */
  decodedSize: number;
}

const lineFeed = 0x0a;
const carriageReturn = 0x0d;
const equalsSign = 0x3d;

function isBase64Character(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x2b || // +
    byte === 0x2f || // /
    byte === equalsSign
  );
}

/**
 * Limitation: a base64 file whose lines are not all as long as its first one fails, although
 * openssl would decode it. A reader for such files would decode from the file's start for every
 * chunk.
 *
 * Works out the layout of a base64 file from its first bytes (enough to hold its first line
 * break, when it has one) and its last bytes (at least 4 after any trailing line breaks).
 * A first line longer than `head` is taken as the only line; reads check that later.
 * @throws DecryptionError `malformed` when the file is empty, starts with a line break or
 *   contains a number of base64 characters that is not a multiple of 4.
 */
export function detectBase64Layout(
  head: Uint8Array,
  tail: Uint8Array,
  fileSize: number,
  fileDescription: string,
): Base64Layout {
  const firstLineFeed = head.indexOf(lineFeed);
  let lineLength = Infinity;
  let lineBreakLength = 1;
  if (firstLineFeed >= 0) {
    lineBreakLength = firstLineFeed > 0 && head[firstLineFeed - 1] === carriageReturn ? 2 : 1;
    lineLength = firstLineFeed - (lineBreakLength - 1);
  }

  let trailingBreaks = 0;
  while (trailingBreaks < tail.length && isLineBreak(tail[tail.length - 1 - trailingBreaks] ?? 0)) {
    trailingBreaks += 1;
  }
  const contentSize = fileSize - trailingBreaks;
  const stride = lineLength + lineBreakLength;
  let characterCount = contentSize;
  if (Number.isFinite(lineLength)) {
    const fullStrides = Math.floor(contentSize / stride);
    characterCount = fullStrides * lineLength + Math.min(contentSize - fullStrides * stride, lineLength);
  }

  if (lineLength === 0 || characterCount === 0) {
    throw new DecryptionError(
      `${fileDescription} is not base64 as \`openssl enc -a\` writes it: it is empty or starts with a line break.`,
      'malformed',
    );
  }
  if (characterCount % 4 !== 0) {
    const shape = Number.isFinite(lineLength)
      ? `with lines of ${lineLength} characters, as its first line, `
      : '';
    throw new DecryptionError(
      `${fileDescription} is not base64 as \`openssl enc -a\` writes it: ${shape}its ${fileSize} bytes contain ` +
        `${characterCount} base64 characters, not a multiple of 4. Every line but the last must have the same ` +
        'length; set encryption.format to binary if the file is not base64.',
      'malformed',
    );
  }

  const content = tail.subarray(0, tail.length - trailingBreaks);
  const paddingCharacters =
    (content[content.length - 1] === equalsSign ? 1 : 0) +
    (content[content.length - 2] === equalsSign ? 1 : 0);
  return {
    lineLength,
    lineBreakLength,
    characterCount,
    decodedSize: (characterCount / 4) * 3 - paddingCharacters,
  };
}

/** Byte offset in the file of the base64 character with this index. */
export function fileOffsetOfCharacter(layout: Base64Layout, characterIndex: number): number {
  if (!Number.isFinite(layout.lineLength)) {
    return characterIndex;
  }
  const line = Math.floor(characterIndex / layout.lineLength);
  return line * (layout.lineLength + layout.lineBreakLength) + (characterIndex % layout.lineLength);
}

/** File range to read for the decoded bytes [start, end) of a base64 file, with 0 <= start < end <= decodedSize. */
export interface Base64ReadPlan {
  /** Byte range [start, end) of the file that contains the needed characters. */
  fileStart: number;
  fileEnd: number;
  /** Decoded bytes to drop before `start`, because base64 decodes in groups of 3 bytes. */
  skipBytes: number;
}

export function planBase64Read(layout: Base64Layout, start: number, end: number): Base64ReadPlan {
  const firstGroup = Math.floor(start / 3);
  const endCharacter = Math.min(Math.ceil(end / 3) * 4, layout.characterCount);
  return {
    fileStart: fileOffsetOfCharacter(layout, firstGroup * 4),
    fileEnd: fileOffsetOfCharacter(layout, endCharacter - 1) + 1,
    skipBytes: start - firstGroup * 3,
  };
}

/**
 * Decodes the base64 text of `fileBytes`, which start at `fileStart` in the file, and yields the
 * decoded bytes [start, end) that `planBase64Read` planned. Checks every byte against the layout,
 * so a line of another length fails the read instead of shifting the decoded bytes.
 * @throws DecryptionError `malformed` for a byte that is not base64 where the layout expects a
 *   character, or not a line break where it expects one.
 */
export async function* decodeBase64Range(
  fileBytes: AsyncIterable<Uint8Array>,
  layout: Base64Layout,
  plan: Base64ReadPlan,
  length: number,
  fileDescription: string,
): AsyncGenerator<Uint8Array> {
  const stride = layout.lineLength + layout.lineBreakLength;
  let fileOffset = plan.fileStart;
  let skip = plan.skipBytes;
  let remaining = length;
  let pending = '';

  for await (const chunk of fileBytes) {
    const characters = Buffer.allocUnsafe(chunk.length);
    let kept = 0;
    for (const byte of chunk) {
      const column = Number.isFinite(stride) ? fileOffset % stride : fileOffset;
      const breakByte = column - layout.lineLength;
      const expected =
        breakByte < 0
          ? isBase64Character(byte)
          : byte === (breakByte === layout.lineBreakLength - 1 ? lineFeed : carriageReturn);
      if (!expected) {
        throw irregularLayout(layout, fileOffset, fileDescription);
      }
      if (breakByte < 0) {
        characters[kept] = byte;
        kept += 1;
      }
      fileOffset += 1;
    }

    pending += characters.toString('latin1', 0, kept);
    const whole = pending.length - (pending.length % 4);
    let decoded: Uint8Array = Buffer.from(pending.slice(0, whole), 'base64');
    pending = pending.slice(whole);

    const dropped = Math.min(skip, decoded.length);
    decoded = decoded.subarray(dropped, dropped + remaining);
    skip -= dropped;
    remaining -= decoded.length;
    if (decoded.length > 0) {
      yield decoded;
    }
  }
}

function isLineBreak(byte: number): boolean {
  return byte === lineFeed || byte === carriageReturn;
}

function irregularLayout(layout: Base64Layout, fileOffset: number, fileDescription: string): DecryptionError {
  const rule = Number.isFinite(layout.lineLength)
    ? `every line but the last must hold ${layout.lineLength} characters, as the first line does`
    : 'the file must be a single line, because its first bytes hold no line break';
  return new DecryptionError(
    `${fileDescription} is not base64 in the layout that \`openssl enc -a\` writes: byte ${fileOffset} breaks ` +
      `the rule that ${rule}. Encode it again with \`openssl base64\` or use binary.`,
    'malformed',
  );
}
