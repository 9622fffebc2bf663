import { FileFormatError } from '../file-errors.js';
import type { ReaderItem } from '../profile-record.js';
import { toProfileRecord } from '../records/json-record.js';
import type { TextBuffer } from './text-buffer.js';
import { PendingItems } from './pending-items.js';

export interface JsonReaderOptions {
  /** Line number of the first line of the text. */
  startLine: number;
  /** Maximum length of one object in characters. */
  maxRecordLength: number;
}

/** Result of finding where the object that starts at an index ends. */
type ObjectScan =
  | { kind: 'object'; end: number; lineFeeds: number; lastLineFeed: number }
  | { kind: 'incomplete' }
  /** The object cannot be delimited. `describe` builds the message from the location of `index`. */
  | { kind: 'broken'; index: number; describe: (where: string) => string };

const quote = 0x22;
const backslash = 0x5c;
const lineFeed = 0x0a;
const openBrace = 0x7b;
const closeBrace = 0x7d;
const openBracket = 0x5b;
const closeBracket = 0x5d;

/**
 * Reads a stream of JSON objects separated by whitespace (JSON Lines, where an object may span
 * several lines). Each object's extent is found by matching brackets outside strings, then
 * `JSON.parse` reads it. An object that parses badly becomes an invalid item and reading goes on.
 *
 * @throws FileFormatError naming line and column when the text between objects is not whitespace,
 *   such as a comma or an enclosing array. It is also thrown when brackets do not match, when a
 *   string is not closed on its line, and when an object is not closed by the end of the input or
 *   within `maxRecordLength` characters.
 */
export async function* readJsonBatches(
  buffer: TextBuffer,
  options: JsonReaderOptions,
): AsyncGenerator<ReaderItem[]> {
  let position = 0;
  let line = options.startLine;
  // Index where the current line starts; negative once that start has been dropped from the buffer.
  let lineStart = 0;

  const pending = new PendingItems();

  async function* readMore(): AsyncGenerator<ReaderItem[]> {
    yield* pending.take();
    await buffer.fill(position, line);
    lineStart -= position;
    position = 0;
  }

  for (;;) {
    if (pending.full) yield* pending.take();

    const text = buffer.text;
    while (position < text.length) {
      const code = text.charCodeAt(position);
      if (code === lineFeed) {
        line += 1;
        lineStart = position + 1;
      } else if (code !== 0x20 && code !== 0x09 && code !== 0x0d) {
        break;
      }
      position += 1;
    }
    if (position >= text.length) {
      if (buffer.ended) break;
      yield* readMore();
      continue;
    }

    const column = position - lineStart + 1;
    const code = text.charCodeAt(position);
    if (code === openBracket) {
      yield* pending.take();
      throw new FileFormatError(
        `found \`[\` at line ${line}, column ${column}, but a JSON array is not the file format. Write one profile object per line, without the enclosing brackets and commas.`,
        line,
        column,
      );
    }
    if (code !== openBrace) {
      yield* pending.take();
      throw new FileFormatError(
        `expected \`{\` at line ${line}, column ${column} but found ${describeCharacter(text, position)}. Profile objects are separated by line breaks, without commas.`,
        line,
        column,
      );
    }

    const scan = scanObject(text, position, buffer.ended);
    if (scan.kind === 'incomplete') {
      if (text.length - position > options.maxRecordLength) {
        yield* pending.take();
        throw new FileFormatError(
          `the JSON object at line ${line}, column ${column} is longer than the limit of ${options.maxRecordLength} characters. Check that its braces are closed.`,
          line,
          column,
        );
      }
      yield* readMore();
      continue;
    }
    if (scan.kind === 'broken') {
      yield* pending.take();
      const where = locate(text, position, line, column, scan.index);
      const message = scan.describe(`line ${where.line}, column ${where.column}`);
      throw new FileFormatError(message, where.line, where.column);
    }

    const offset = buffer.byteOffset(position);
    const objectLine = line;
    const source = text.slice(position, scan.end);
    if (scan.lineFeeds > 0) {
      line += scan.lineFeeds;
      lineStart = scan.lastLineFeed + 1;
    }
    position = scan.end;

    const record = toProfileRecord(source, objectLine, column);
    if (typeof record === 'string') {
      pending.push({ kind: 'invalid', line: objectLine, offset, reason: record });
    } else {
      pending.push({ kind: 'record', line: objectLine, offset, record });
    }
  }

  yield* pending.take();
}

/**
 * Finds the end of the object that starts with `{` at `start`. Brackets inside strings do not
 * count. JSON strings cannot contain a raw line break, so a line feed inside a string means the
 * string is not closed, and the scan stops there instead of swallowing the objects that follow.
 */
function scanObject(text: string, start: number, atEnd: boolean): ObjectScan {
  const closers: number[] = [];
  const length = text.length;
  let lineFeeds = 0;
  let lastLineFeed = -1;
  let index = start;

  while (index < length) {
    const code = text.charCodeAt(index);

    if (code === quote) {
      const stringStart = index;
      index += 1;
      for (;;) {
        if (index >= length) {
          if (!atEnd) return { kind: 'incomplete' };
          return {
            kind: 'broken',
            index: stringStart,
            describe: (where) => `the string that opens at ${where} is not closed by the end of the file`,
          };
        }
        const inner = text.charCodeAt(index);
        if (inner === quote) break;
        if (inner === lineFeed || (inner === backslash && text.charCodeAt(index + 1) === lineFeed)) {
          return {
            kind: 'broken',
            index: stringStart,
            describe: (where) => `the string that opens at ${where} is not closed before the end of its line`,
          };
        }
        index += inner === backslash ? 2 : 1;
      }
    } else if (code === openBrace) {
      closers.push(closeBrace);
    } else if (code === openBracket) {
      closers.push(closeBracket);
    } else if (code === closeBrace || code === closeBracket) {
      const expected = closers.pop();
      if (code !== expected) {
        const found = String.fromCharCode(code);
        const expectedText = expected === undefined ? 'nothing' : `\`${String.fromCharCode(expected)}\``;
        return {
          kind: 'broken',
          index,
          describe: (where) => `mismatched \`${found}\` at ${where}, expected ${expectedText}`,
        };
      }
      if (closers.length === 0) return { kind: 'object', end: index + 1, lineFeeds, lastLineFeed };
    } else if (code === lineFeed) {
      lineFeeds += 1;
      lastLineFeed = index;
    }
    index += 1;
  }

  if (!atEnd) return { kind: 'incomplete' };
  return {
    kind: 'broken',
    index: start,
    describe: (where) => `the JSON object that opens at ${where} is not closed by the end of the file`,
  };
}

/** Returns the line and column of `index`, given that `start` is at line `line`, column `column`. */
function locate(
  text: string,
  start: number,
  line: number,
  column: number,
  index: number,
): { line: number; column: number } {
  let lineFeeds = 0;
  let lastLineFeed = -1;
  for (let at = text.indexOf('\n', start); at !== -1 && at < index; at = text.indexOf('\n', at + 1)) {
    lineFeeds += 1;
    lastLineFeed = at;
  }
  if (lineFeeds === 0) return { line, column: column + index - start };
  return { line: line + lineFeeds, column: index - lastLineFeed };
}

function describeCharacter(text: string, index: number): string {
  const character = String.fromCodePoint(text.codePointAt(index)!);
  if (/^[\p{L}\p{N}\p{P}\p{S}]$/u.test(character)) return `\`${character}\``;
  return `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
