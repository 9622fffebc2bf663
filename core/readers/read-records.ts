import type { CsvOptions, FileFormat } from '../file-format.js';
import type { ReaderItem } from '../profile-record.js';
import { readCsvBatches } from './csv-reader.js';
import { readJsonBatches } from './json-reader.js';
import { TextBuffer } from './text-buffer.js';

export interface ReadRecordsOptions {
  fileFormat: FileFormat;
  /** Byte offset in the file where `input` starts; 0 (default) means the file's start (BOM and, for CSV, the header row). */
  startOffset?: number;
  /** Line number of the first line of `input` when startOffset > 0. */
  startLine?: number;
  /** The CSV header columns, required for CSV when startOffset > 0 (taken from the header item of a full read); ignored when startOffset is 0. */
  header?: string[];
  /**
   * Maximum length in characters of one record (a CSV row or a JSON object); default 1,048,576.
   * A longer record fails the read, because it usually comes from a quote or brace that is never
   * closed, and the reader keeps a whole record in memory.
   */
  maxRecordLength?: number;
}

/** Default for {@link ReadRecordsOptions.maxRecordLength}, in characters. */
export const defaultMaxRecordLength = 1_048_576;

/**
 * Reads the profiles of a CSV or JSON file from its bytes, one item at a time: for CSV read from
 * the start, a `header` item first, then one `record` or `invalid` item per row or object. Each
 * item carries the line number of its first line and the byte offset where it starts, so a later
 * read can resume there with `startOffset`, `startLine` and (for CSV) `header`.
 *
 * Dotted names (`consents.newsletter.granted`) become nested objects in both formats. CSV cells
 * are typed as follows, with the full rules in `records/type-values.ts`. Empty cells are absent
 * fields. `custom_fields.*` cells become booleans (`true`/`false` in any case) or numbers when in
 * canonical form (so `0012` stays text), and `consents.*.granted` cells must be booleans. Every
 * other cell stays text, so identifiers such as `0012345` and `4411E3` are never changed. JSON
 * values keep their JSON types, except identifiers given as numbers, which become their exact digits.
 *
 * CSV quoting rules are in `csv-row.ts` and JSON rules in `json-reader.ts`. An empty file, or one
 * of blank lines only, yields no items.
 * Columns in error messages count UTF-16 code units from 1, as JavaScript string indexes do.
 *
 * A read from an offset cannot see the byte-order mark, so a `utf-16` file must then be read as
 * `utf-16le` or `utf-16be`. `detectTextEncoding` finds the byte order from the file's first bytes.
 *
 * @throws RangeError from the first `next()` call, before any byte is read, when the options are
 *   inconsistent: a CSV setting that is not one character, a header or line missing for a read
 *   from an offset, or `utf-16` for a read from an offset.
 * @throws FileFormatError when the file cannot be read any further as the format: bytes invalid in
 *   the encoding, a quote or bracket never closed, an invalid header, text between JSON objects.
 *   Items before the error have been yielded.
 */
export async function* readRecords(
  input: AsyncIterable<Uint8Array>,
  options: ReadRecordsOptions,
): AsyncGenerator<ReaderItem> {
  for await (const batch of readRecordBatches(input, options)) {
    yield* batch;
  }
}

/**
 * Reads like {@link readRecords} but hands out the items in batches, one per stretch of buffered
 * text, which saves a yield per record where records are many and the work on each is small.
 */
export async function* readRecordBatches(
  input: AsyncIterable<Uint8Array>,
  options: ReadRecordsOptions,
): AsyncGenerator<ReaderItem[]> {
  const { fileFormat } = options;
  const startOffset = options.startOffset ?? 0;
  const maxRecordLength = options.maxRecordLength ?? defaultMaxRecordLength;
  if (!Number.isSafeInteger(startOffset) || startOffset < 0) {
    throw new RangeError(`startOffset must be a non-negative integer, got ${startOffset}`);
  }
  if (!Number.isSafeInteger(maxRecordLength) || maxRecordLength < 1) {
    throw new RangeError(`maxRecordLength must be a positive integer, got ${maxRecordLength}`);
  }

  let startLine = 1;
  if (startOffset > 0) {
    if (options.startLine === undefined)
      throw new RangeError('startLine is required when startOffset is above 0');
    startLine = options.startLine;
  }
  if (!Number.isInteger(startLine) || startLine < 1) {
    throw new RangeError(`startLine must be an integer of at least 1, got ${startLine}`);
  }

  if (fileFormat.format === 'csv') {
    checkCsvOptions(fileFormat.csv);
    if (startOffset > 0 && options.header === undefined) {
      throw new RangeError(
        'header is required to read CSV from an offset above 0. Pass the columns of the header item.',
      );
    }
  }

  const chunks = input[Symbol.asyncIterator]();
  const buffer = new TextBuffer(chunks, fileFormat.encoding, startOffset);
  try {
    if (fileFormat.format === 'csv') {
      const header = startOffset > 0 ? options.header : undefined;
      yield* readCsvBatches(buffer, { csv: fileFormat.csv, startLine, header, maxRecordLength });
    } else {
      yield* readJsonBatches(buffer, { startLine, maxRecordLength });
    }
  } finally {
    // Lets a file stream close when the caller stops early or the read fails.
    if (!buffer.ended) await chunks.return?.();
  }
}

/** Rejects CSV settings that would make rows ambiguous. */
function checkCsvOptions(csv: CsvOptions): void {
  for (const name of ['delimiter', 'quote', 'escape'] as const) {
    const value = csv[name];
    if (value.length !== 1)
      throw new RangeError(`${name} must be one character, got ${JSON.stringify(value)}`);
    if (value === '\n' || value === '\r') throw new RangeError(`${name} must not be a line break`);
  }
  if (csv.delimiter === csv.quote) {
    throw new RangeError(`delimiter and quote must differ, both are ${JSON.stringify(csv.delimiter)}`);
  }
  if (csv.delimiter === csv.escape) {
    throw new RangeError(`delimiter and escape must differ, both are ${JSON.stringify(csv.delimiter)}`);
  }
}
