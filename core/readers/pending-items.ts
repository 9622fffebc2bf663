import type { ReaderItem } from '../profile-record.js';

/** Items a reader has read from its buffered text but not yet handed out. */
export class PendingItems {
  private items: ReaderItem[] = [];

  push(item: ReaderItem): void {
    this.items.push(item);
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
