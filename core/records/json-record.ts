import { identifierFields } from '../identifier-fields.js';
import type { ProfileRecord } from '../profile-record.js';
import { nestDottedKeys } from './nest-fields.js';

/** The third reviver argument of `JSON.parse` (V8 11.4 and later, so Node 21 and later). */
interface ReviverContext {
  /** Source text of a primitive value. */
  source?: string;
}

// The detail must not contain a double quote, so that no quoted source text can reach a reason.
const jsonErrorPattern = /^([^"]+) in JSON at position (\d+)/;

/**
 * Parses the text of one JSON object into a profile record. Values keep their JSON types, except
 * identifier fields given as numbers, which become the exact digits of the file (`12345678901234567890`
 * stays that text, though a JavaScript number would round it). Dotted keys are nested.
 * Returns the reason the object is invalid, naming its line and column, instead of a record.
 *
 * @param source text of the object, from its `{` to its `}`, with matching brackets.
 * @param line line of the `{` in the file.
 * @param column column of the `{` in the file.
 */
export function toProfileRecord(source: string, line: number, column: number): ProfileRecord | string {
  let record: ProfileRecord;
  try {
    record = JSON.parse(source) as ProfileRecord;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return describeParseError(error, source, line, column);
  }

  if (identifierFields.some((field) => typeof record[field] === 'number')) {
    const sources = readTopLevelNumberSources(source);
    for (const field of identifierFields) {
      const value = record[field];
      if (typeof value === 'number') record[field] = sources.get(field) ?? String(value);
    }
  }

  const problem = nestDottedKeys(record);
  return problem === undefined ? record : `invalid JSON object at line ${line}: ${problem}`;
}

/** Parses `source` again to read the exact text of the numbers among its top-level fields. */
function readTopLevelNumberSources(source: string): Map<string, string> {
  const found: { holder: unknown; key: string; text: string }[] = [];
  const root = JSON.parse(
    source,
    function (this: unknown, key: string, value: unknown, context?: ReviverContext) {
      if (typeof value === 'number' && context?.source !== undefined)
        found.push({ holder: this, key, text: context.source });
      return value;
    },
  ) as unknown;

  const sources = new Map<string, string>();
  for (const entry of found) {
    if (entry.holder === root) sources.set(entry.key, entry.text);
  }
  return sources;
}

/**
 * Turns a `JSON.parse` error into a reason with the file's line and column. V8 puts the position in
 * most messages ("... in JSON at position 9"), but its "Unexpected token" messages quote the source
 * text instead. Those are reduced to the object's line, because reasons must not contain field values.
 */
function describeParseError(error: SyntaxError, source: string, line: number, column: number): string {
  const match = jsonErrorPattern.exec(error.message);
  if (match === null) return `invalid JSON in the object at line ${line}, column ${column}`;

  const detail = match[1]!.charAt(0).toLowerCase() + match[1]!.slice(1);
  const position = Number(match[2]);
  const lastLineFeed = source.lastIndexOf('\n', position - 1);
  let lineFeeds = 0;
  for (let at = source.indexOf('\n'); at !== -1 && at < position; at = source.indexOf('\n', at + 1))
    lineFeeds += 1;

  const errorLine = line + lineFeeds;
  const errorColumn = lastLineFeed === -1 ? column + position : position - lastLineFeed;
  return `invalid JSON at line ${errorLine}, column ${errorColumn}: ${detail}`;
}
