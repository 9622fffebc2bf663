/**
 * Typing of values read from flattened CSV columns. A CSV cell is text, and these rules give it the
 * type that the same field has in the nested JSON form:
 *
 * - Top-level columns (`email`, `external_id`, `name`, `birthdate`, `created_at`, any unknown one)
 *   stay text. Identifiers such as `0012345`, `4411E3` and `0612345678` keep their exact text.
 * - `consents.<name>.granted` is a boolean: `true` or `false`, in any letter case, with surrounding
 *   spaces ignored. Any other text makes the record invalid.
 * - `custom_fields.<...>` values are inferred. `true` and `false` in any letter case (surrounding
 *   spaces ignored) become booleans. A decimal number in canonical form becomes a number: an
 *   optional `-`, no leading zeros, no `+`, no exponent, no trailing zeros after the decimal point,
 *   and few enough digits to be stored exactly (`42`, `-3.5`, `0.25`). Everything else stays text,
 *   so `0012`, `1.50`, `1e3` and `12345678901234567890` are kept as written.
 * - Every other column (`consents.<name>.date`, `consents.<name>.consent_version.version_id`, other
 *   dotted names) stays text.
 *
 * Dates stay text as written (ISO 8601 in well-formed files). They are not parsed here, because a
 * date without a time zone has no single correct instant.
 */

/** Conversion applied to the text of a column. */
export type ValueKind = 'text' | 'boolean' | 'inferred';

const canonicalNumberPattern = /^-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?$/;

/** Returns the value kind of the field at `path` (the dotted column name split on dots). */
export function valueKindOf(path: readonly string[]): ValueKind {
  if (path.length < 2) return 'text';
  if (path[0] === 'custom_fields') return 'inferred';
  if (path[0] === 'consents' && path.length === 3 && path[2] === 'granted') return 'boolean';
  return 'text';
}

/** Parses `true` or `false` in any letter case, ignoring surrounding spaces. Returns undefined for other text. */
export function parseBoolean(text: string): boolean | undefined {
  const trimmed = text.trim();
  if (trimmed.length === 4 && trimmed.toLowerCase() === 'true') return true;
  if (trimmed.length === 5 && trimmed.toLowerCase() === 'false') return false;
  return undefined;
}

/** Converts the text of a `custom_fields` cell to a boolean or number when unambiguous, else returns it unchanged. */
export function inferValue(text: string): string | number | boolean {
  const first = text.charCodeAt(0);

  const isDigit = first >= 0x30 && first <= 0x39;
  if (isDigit || first === 0x2d) {
    if (!canonicalNumberPattern.test(text)) return text;
    const number = Number(text);
    return String(number) === text ? number : text;
  }

  const boolean = parseBoolean(text);
  return boolean === undefined ? text : boolean;
}
