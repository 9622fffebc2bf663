import { FileFormatError } from '../file-errors.js';
import type { TextEncoding } from '../file-format.js';
import { InvalidTextError, TextChunkDecoder } from './decode-text.js';

/**
 * Bytes decoded into `text` at a time. V8 allocates a string above about 128 KB straight in its
 * large-object space, part of the old generation, where 256 KiB chunks made collections frequent.
 * With batches of at most 512 items, this raised a standalone plan of a million rows read in 256 KiB
 * chunks from about 770,000 to about 950,000 records per second (2 vCPUs).
 */
const maxDecodeBytes = 64 * 1024;

/**
 * Decoded text of a byte stream, pulled on demand, with the byte offset of any character in it.
 * Readers scan `text` from an index of their own and call {@link fill} when a record runs past its
 * end. Byte offsets are cheap: a fixed width for UTF-16 and single-byte encodings, and for UTF-8
 * the encoded length of the text scanned since the last lookup.
 */
export class TextBuffer {
  /** Decoded text not yet dropped. Index 0 is at byte offset `startByte`. */
  text = '';
  /** True once the input is exhausted and all of it is in `text`. */
  ended = false;

  private readonly decoder: TextChunkDecoder;
  private startByte: number;
  /** Bytes per character when fixed, or 0 for UTF-8 text that is not all ASCII. */
  private fixedWidth: number;
  private readonly isUtf8: boolean;
  private mappedIndex = 0;
  private mappedBytes = 0;
  private bomCounted = false;
  /** The part of the last input chunk that is not decoded yet. */
  private undecoded: Uint8Array | undefined;

  constructor(
    private readonly chunks: AsyncIterator<Uint8Array>,
    encoding: TextEncoding,
    startOffset: number,
  ) {
    this.decoder = new TextChunkDecoder(encoding, startOffset);
    this.startByte = startOffset;
    this.isUtf8 = encoding === 'utf-8';
    this.fixedWidth = encoding.startsWith('utf-16') ? 2 : 1;
  }

  /**
   * Drops the text before `keepFrom` and appends the next decoded text. Indexes into `text` shift
   * down by `keepFrom`. Returns false when the input has ended and nothing was appended.
   *
   * @param lineAtKeepFrom line number at `keepFrom`, used to place an encoding error on its line.
   * @throws FileFormatError when the input contains bytes that are not valid in the encoding.
   */
  async fill(keepFrom: number, lineAtKeepFrom: number): Promise<boolean> {
    this.dropBefore(keepFrom);
    if (this.ended) return false;

    try {
      for (;;) {
        if (this.undecoded === undefined) {
          const next = await this.chunks.next();
          if (next.done) {
            this.ended = true;
            return this.append(this.decoder.end());
          }
          this.undecoded = next.value;
        }

        const bytes = this.undecoded.subarray(0, maxDecodeBytes);
        this.undecoded =
          this.undecoded.length > maxDecodeBytes ? this.undecoded.subarray(maxDecodeBytes) : undefined;
        if (this.append(this.decoder.decode(bytes))) return true;
      }
    } catch (error) {
      if (!(error instanceof InvalidTextError)) throw error;
      const line = lineAtKeepFrom + countLineFeeds(this.text, 0, this.text.length) + error.pendingLineFeeds;
      throw new FileFormatError(
        `not valid ${error.encodingName} at line ${line}, byte offset ${error.byteOffset}. Set the encoding the file was written in.`,
        line,
      );
    }
  }

  /** Byte offset in the file of the character at `index` of `text`. */
  byteOffset(index: number): number {
    if (this.fixedWidth !== 0) return this.startByte + index * this.fixedWidth;

    if (index < this.mappedIndex) {
      this.mappedIndex = 0;
      this.mappedBytes = 0;
    }
    this.mappedBytes += Buffer.byteLength(this.text.slice(this.mappedIndex, index), 'utf8');
    this.mappedIndex = index;
    return this.startByte + this.mappedBytes;
  }

  private dropBefore(keepFrom: number): void {
    if (keepFrom === 0) return;
    this.startByte = this.byteOffset(keepFrom);
    this.text = this.text.slice(keepFrom);
    this.mappedIndex = 0;
    this.mappedBytes = 0;
    if (this.isUtf8 && this.fixedWidth === 0 && Buffer.byteLength(this.text, 'utf8') === this.text.length) {
      this.fixedWidth = 1;
    }
  }

  private append(piece: string): boolean {
    if (!this.bomCounted && this.decoder.bomLength > 0) {
      // The mark is found in the same call that returns the first text, so `text` is still empty here.
      this.startByte += this.decoder.bomLength;
      this.bomCounted = true;
    }
    if (piece.length === 0) return false;

    // UTF-8 text is one byte per character only while every character is ASCII.
    if (this.isUtf8 && this.decoder.lastByteLength !== piece.length) this.fixedWidth = 0;
    this.text += piece;
    return true;
  }
}

/** Counts `\n` characters in `text` between `start` (inclusive) and `end` (exclusive). */
export function countLineFeeds(text: string, start: number, end: number): number {
  let count = 0;
  let index = text.indexOf('\n', start);
  while (index !== -1 && index < end) {
    count += 1;
    index = text.indexOf('\n', index + 1);
  }
  return count;
}
