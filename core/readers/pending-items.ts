import type { ReaderItem } from '../profile-record.js';

/**
 * Maximum number of items in a batch. The items of a small batch are garbage before V8's next
 * scavenge of the young generation. A batch per 256 KiB of text, about 9,000 records, was often still
 * alive at one, so V8 copied it and promoted part of it to the old generation.
 */
const maxBatchItems = 512;

/** Items a reader has read from its buffered text but not yet handed out. */
export class PendingItems {
  private items: ReaderItem[] = [];

  push(item: ReaderItem): void {
    this.items.push(item);
  }

  /** Whether the items make a whole batch, which the reader hands out before it reads more. */
  get full(): boolean {
    return this.items.length >= maxBatchItems;
  }

  /**
   * Yields the pending items as one batch, if there are any. Readers call it before they refill their
   * buffer and before they throw, so a consumer receives every item read before a read error.
   */
  *take(): Generator<ReaderItem[]> {
    if (this.items.length === 0) {
      return;
    }
    const batch = this.items;
    this.items = [];
    yield batch;
  }
}
