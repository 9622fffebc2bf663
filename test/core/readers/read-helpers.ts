import { defaultCsvOptions, defaultFileFormat, type FileFormat } from '../../../core/file-format.js';
import type { ReaderItem } from '../../../core/profile-record.js';
import { readRecords, type ReadRecordsOptions } from '../../../core/readers/read-records.js';

export const csvFormat: FileFormat = defaultFileFormat;
export const jsonFormat: FileFormat = { format: 'json', encoding: 'utf-8', csv: defaultCsvOptions };

/** Encodes text as UTF-8 bytes. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Joins byte arrays and numbers (single bytes) into one array. */
export function bytesOf(...parts: (Uint8Array | number)[]): Uint8Array {
  const values: number[] = [];
  for (const part of parts) {
    if (typeof part === 'number') values.push(part);
    else values.push(...part);
  }
  return Uint8Array.from(values);
}

/** Yields `bytes` in chunks of `chunkSize` bytes, each in its own buffer as a file stream would. */
export async function* chunksOf(bytes: Uint8Array, chunkSize = 65_536): AsyncGenerator<Uint8Array> {
  for (let start = 0; start < bytes.length; start += chunkSize) {
    yield bytes.slice(start, start + chunkSize);
  }
}

/** Reads every item of `bytes`; `fileFormat` defaults to the CSV defaults. */
export async function readAll(
  bytes: Uint8Array,
  options: Partial<ReadRecordsOptions> = {},
  chunkSize?: number,
): Promise<ReaderItem[]> {
  const items: ReaderItem[] = [];
  for await (const item of readRecords(chunksOf(bytes, chunkSize), { fileFormat: csvFormat, ...options })) {
    items.push(item);
  }
  return items;
}

/** Reads `bytes` and returns the items yielded before the read failed, and the error. */
export async function readUntilError(
  bytes: Uint8Array,
  options: Partial<ReadRecordsOptions> = {},
  chunkSize?: number,
): Promise<{ items: ReaderItem[]; error: unknown }> {
  const items: ReaderItem[] = [];
  try {
    for await (const item of readRecords(chunksOf(bytes, chunkSize), { fileFormat: csvFormat, ...options })) {
      items.push(item);
    }
  } catch (error) {
    return { items, error };
  }
  throw new Error(`the read succeeded with ${items.length} items, but an error was expected`);
}

/** Returns the record items only. */
export function recordsOf(items: ReaderItem[]): Extract<ReaderItem, { kind: 'record' }>[] {
  return items.filter((item) => item.kind === 'record');
}
