import type { CsvOptions } from '../file-format.js';

/** Result of scanning one CSV row that contains a quote character. */
export type RowScan =
  | {
      kind: 'row';
      cells: string[];
      /** Index just after the row's line feed, or the text length for a last row without one. */
      end: number;
      /** Line feeds inside the row, including the one that ends it. */
      lineFeeds: number;
      /** Reason the row cannot be trusted, such as text after a closing quote. Undefined for a well-formed row. */
      problem?: string;
    }
  /** The text ends inside the row. `openQuote` is the index of the quote still open, if any. */
  | { kind: 'incomplete'; openQuote?: number }
  /** The input ended inside a quoted value that opened at index `openQuote`. */
  | { kind: 'unclosed-quote'; openQuote: number };

const lineFeed = 0x0a;
const carriageReturn = 0x0d;

/**
 * Splits the row that starts at `start` into cells, honouring quotes. A quote opens a quoted value
 * only as the first character of a cell, and elsewhere it is plain text. Inside quotes, the escape
 * character escapes only the quote or itself (`\"` is `"`, `\\` is `\`, and `\t` stays `\t`), and a
 * doubled quote (`""`) is one quote whatever the escape character is. Line breaks inside quotes
 * belong to the value. CRLF and LF both end the row.
 *
 * @param atEnd whether `text` runs to the end of the input. When false, a row that reaches the end
 *   of `text` is reported as incomplete so the caller can append more text and scan again.
 */
export function scanQuotedRow(text: string, start: number, atEnd: boolean, options: CsvOptions): RowScan {
  const quote = options.quote.charCodeAt(0);
  const delimiter = options.delimiter.charCodeAt(0);
  const escape = options.escape.charCodeAt(0);
  const escapeIsQuote = escape === quote;
  const length = text.length;

  const cells: string[] = [];
  let lineFeeds = 0;
  let problem: string | undefined;
  let index = start;

  for (;;) {
    let value = '';

    if (index < length && text.charCodeAt(index) === quote) {
      const openQuote = index;
      index += 1;
      let segmentStart = index;

      for (;;) {
        if (index >= length)
          return atEnd ? { kind: 'unclosed-quote', openQuote } : { kind: 'incomplete', openQuote };
        const code = text.charCodeAt(index);

        if (code === escape && !escapeIsQuote) {
          if (index + 1 >= length && !atEnd) return { kind: 'incomplete', openQuote };
          const next = text.charCodeAt(index + 1);
          if (next === quote || next === escape) {
            // Drop the escape character and start the next segment at the escaped one.
            value += text.slice(segmentStart, index);
            segmentStart = index + 1;
            index += 2;
            continue;
          }
          index += 1;
          continue;
        }

        if (code === quote) {
          if (index + 1 >= length && !atEnd) return { kind: 'incomplete', openQuote };
          if (text.charCodeAt(index + 1) === quote) {
            value += text.slice(segmentStart, index + 1);
            index += 2;
            segmentStart = index;
            continue;
          }
          value += text.slice(segmentStart, index);
          index += 1;
          break;
        }

        if (code === lineFeed) lineFeeds += 1;
        index += 1;
      }

      // After the closing quote only a delimiter, a line break or the end of the input may follow.
      if (index >= length) {
        if (!atEnd) return { kind: 'incomplete' };
        cells.push(value);
        return { kind: 'row', cells, end: index, lineFeeds, problem };
      }
      const code = text.charCodeAt(index);
      if (code === delimiter) {
        cells.push(value);
        index += 1;
        continue;
      }
      if (code === lineFeed) {
        cells.push(value);
        return { kind: 'row', cells, end: index + 1, lineFeeds: lineFeeds + 1, problem };
      }
      if (code === carriageReturn) {
        if (index + 1 >= length) {
          if (!atEnd) return { kind: 'incomplete' };
          cells.push(value);
          return { kind: 'row', cells, end: length, lineFeeds, problem };
        }
        if (text.charCodeAt(index + 1) === lineFeed) {
          cells.push(value);
          return { kind: 'row', cells, end: index + 2, lineFeeds: lineFeeds + 1, problem };
        }
      }

      // Read the rest of the cell as plain text, so that the row still ends at its own line break.
      problem ??= `unexpected text after the closing quote in column ${cells.length + 1}`;
    }

    const cellStart = index;
    let code = -1;
    while (index < length) {
      code = text.charCodeAt(index);
      if (code === delimiter || code === lineFeed) break;
      index += 1;
    }

    if (index >= length) {
      if (!atEnd) return { kind: 'incomplete' };
      cells.push(value + withoutTrailingCarriageReturn(text, cellStart, length));
      return { kind: 'row', cells, end: length, lineFeeds, problem };
    }
    if (code === delimiter) {
      cells.push(value + text.slice(cellStart, index));
      index += 1;
      continue;
    }
    cells.push(value + withoutTrailingCarriageReturn(text, cellStart, index));
    return { kind: 'row', cells, end: index + 1, lineFeeds: lineFeeds + 1, problem };
  }
}

function withoutTrailingCarriageReturn(text: string, start: number, end: number): string {
  const hasCarriageReturn = end > start && text.charCodeAt(end - 1) === carriageReturn;
  return text.slice(start, hasCarriageReturn ? end - 1 : end);
}
