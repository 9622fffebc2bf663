/**
 * Remembers the bytes of a stream that passes through it, from a start offset that only moves
 * forward, so parts of the stream can be cut out after a reader further down has consumed them.
 * Memory holds only the bytes from that start to the reader's position.
 */
export class ByteWindow {
  private chunks: { start: number; bytes: Uint8Array }[] = [];
  private end = 0;
  private keepFrom = 0;

  /** Passes `input` through and remembers what it yields; offsets count from its first byte. */
  async *track(input: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const bytes of input) {
      this.chunks.push({ start: this.end, bytes });
      this.end += bytes.length;
      yield bytes;
    }
  }

  /** Forgets the bytes before `offset`; a later `slice` must not start before it. */
  release(offset: number): void {
    this.keepFrom = Math.max(this.keepFrom, offset);
    while (this.chunks.length > 0) {
      const first = this.chunks[0];
      if (first === undefined || first.start + first.bytes.length > this.keepFrom) {
        break;
      }
      this.chunks.shift();
    }
  }

  /**
   * Returns the bytes [start, end) as views of the remembered chunks.
   * @throws RangeError when the range starts before the released bytes or ends past those seen.
   */
  slice(start: number, end: number): Uint8Array[] {
    if (start < this.keepFrom || end > this.end || start > end) {
      throw new RangeError(`bytes [${start}, ${end}) are not in the window [${this.keepFrom}, ${this.end})`);
    }

    const parts: Uint8Array[] = [];
    for (const chunk of this.chunks) {
      const chunkEnd = chunk.start + chunk.bytes.length;
      if (chunkEnd <= start || chunk.start >= end) {
        continue;
      }
      parts.push(
        chunk.bytes.subarray(
          Math.max(start, chunk.start) - chunk.start,
          Math.min(end, chunkEnd) - chunk.start,
        ),
      );
    }
    return parts;
  }
}
