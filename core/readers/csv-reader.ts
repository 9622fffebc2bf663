import { FileFormatError } from '../file-errors.js';
import type { CsvOptions } from '../file-format.js';
import type { ReaderItem } from '../profile-record.js';
import { buildCsvRecord } from '../records/build-csv-record.js';
import { planColumns, type ColumnPlan } from '../records/nest-fields.js';
import { scanQuotedRow } from './csv-row.js';
import { countLineFeeds, type TextBuffer } from './text-buffer.js';
import { PendingItems } from './pending-items.js';

export interface CsvReaderOptions {
  csv: CsvOptions;
  /** Line number of the first line of the text. */
  startLine: number;
  /** Header columns when the text starts after the header row. When absent, the first row is the header. */
  header?: readonly string[];
  /** Maximum length of one row in characters. */
  maxRecordLength: number;
}

const carriageReturn = 0x0d;
const lineFeed = 0x0a;

/**
 * Reads CSV rows from `buffer`: first the header (unless `options.header` is given), then one
 * record or invalid item per row. Blank lines are skipped. A row without a quote character is
 * split directly, and a row with one goes through {@link scanQuotedRow}. Items come in batches, one
 * per stretch of buffered text, because a yield per row costs more than reading the row.
 *
 * @throws FileFormatError for a quote that is never closed (naming the line where it opened), for
 *   a row longer than `maxRecordLength`, and for an invalid header.
 */
export async function* readCsvBatches(
  buffer: TextBuffer,
  options: CsvReaderOptions,
): AsyncGenerator<ReaderItem[]> {
  const { csv, maxRecordLength } = options;
  const { delimiter, quote } = csv;
  let plans: ColumnPlan[] | undefined =
    options.header === undefined ? undefined : planColumns(options.header, undefined);

  let position = 0;
  let line = options.startLine;
  // Index of the next quote character at or after `position`, -1 when the rest of the text has none,
  // and -2 when unknown. Keeping it avoids searching the same quote-free text once per row.
  let quoteIndex = -2;

  const pending = new PendingItems();

  async function* readMore(openQuote?: number): AsyncGenerator<ReaderItem[]> {
    yield* pending.take();

    const text = buffer.text;
    if (text.length - position > maxRecordLength) {
      throw rowTooLongError(text, position, line, maxRecordLength, openQuote);
    }
    await buffer.fill(position, line);
    position = 0;
    quoteIndex = -2;
  }

  for (;;) {
    if (pending.full) yield* pending.take();

    const text = buffer.text;
    if (position >= text.length) {
      if (buffer.ended) break;
      yield* readMore();
      continue;
    }

    const lineEnd = text.indexOf('\n', position);
    const contentLimit = lineEnd === -1 ? text.length : lineEnd;
    if (quoteIndex !== -1 && quoteIndex < position) quoteIndex = text.indexOf(quote, position);

    let cells: string[];
    let rowEnd: number;
    let lineFeeds: number;
    let problem: string | undefined;

    if (quoteIndex === -1 || quoteIndex >= contentLimit) {
      if (lineEnd === -1 && !buffer.ended) {
        yield* readMore();
        continue;
      }
      const contentEnd =
        contentLimit > position && text.charCodeAt(contentLimit - 1) === carriageReturn
          ? contentLimit - 1
          : contentLimit;
      rowEnd = lineEnd === -1 ? text.length : lineEnd + 1;
      lineFeeds = lineEnd === -1 ? 0 : 1;

      if (contentEnd === position) {
        position = rowEnd;
        line += lineFeeds;
        continue;
      }
      cells = text.slice(position, contentEnd).split(delimiter);
    } else {
      const scan = scanQuotedRow(text, position, buffer.ended, csv);
      if (scan.kind === 'incomplete') {
        yield* readMore(scan.openQuote);
        continue;
      }
      if (scan.kind === 'unclosed-quote') {
        yield* pending.take();
        throw unclosedQuoteError(text, position, line, scan.openQuote);
      }
      ({ cells, end: rowEnd, lineFeeds, problem } = scan);
    }

    const offset = buffer.byteOffset(position);
    const rowLine = line;
    position = rowEnd;
    line += lineFeeds;

    if (plans === undefined) {
      if (problem !== undefined) {
        throw new FileFormatError(`invalid CSV header at line ${rowLine}: ${problem}`, rowLine);
      }
      plans = planColumns(cells, rowLine);
      // A header that ends the file without a line break still counts as a whole line.
      const nextLine = text.charCodeAt(rowEnd - 1) === lineFeed ? line : line + 1;
      pending.push({ kind: 'header', columns: cells, endOffset: buffer.byteOffset(position), nextLine });
      continue;
    }

    if (problem !== undefined) {
      pending.push({
        kind: 'invalid',
        line: rowLine,
        offset,
        reason: `invalid CSV at line ${rowLine}: ${problem}`,
      });
      continue;
    }
    const record = buildCsvRecord(cells, plans, rowLine);
    if (typeof record === 'string') {
      pending.push({ kind: 'invalid', line: rowLine, offset, reason: record });
    } else {
      pending.push({ kind: 'record', line: rowLine, offset, record });
    }
  }

  yield* pending.take();
}

/** Returns the line and 1-based column of `index`, given that `rowStart` begins line `rowLine`. */
function locate(
  text: string,
  rowStart: number,
  rowLine: number,
  index: number,
): { line: number; column: number } {
  const line = rowLine + countLineFeeds(text, rowStart, index);
  const lineStart = Math.max(rowStart, text.lastIndexOf('\n', index - 1) + 1);
  return { line, column: index - lineStart + 1 };
}

function unclosedQuoteError(
  text: string,
  rowStart: number,
  rowLine: number,
  openQuote: number,
): FileFormatError {
  const { line, column } = locate(text, rowStart, rowLine, openQuote);
  return new FileFormatError(
    `the quote opened at line ${line}, column ${column} is never closed, so the rest of the file would be one value. Close or escape that quote.`,
    line,
    column,
  );
}

function rowTooLongError(
  text: string,
  rowStart: number,
  rowLine: number,
  maxRecordLength: number,
  openQuote: number | undefined,
): FileFormatError {
  const tooLong = `the row at line ${rowLine} is longer than the limit of ${maxRecordLength} characters`;
  if (openQuote === undefined)
    return new FileFormatError(`${tooLong}. Check the delimiter and line breaks.`, rowLine);

  const { line, column } = locate(text, rowStart, rowLine, openQuote);
  return new FileFormatError(
    `${tooLong}, and the quote opened at line ${line}, column ${column} is still open. Close or escape that quote.`,
    line,
    column,
  );
}
