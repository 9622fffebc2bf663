import type { IdentifierField } from './identifier-fields.js';

/** Values shorter than this are fully hidden, so that at least half of a masked value stays hidden. */
const minLengthToShowEnds = 8;

/**
 * Masks an identifier for logs and reasons. An email keeps the first character of its local part
 * and its domain (`j***@example.com`). Other values, and text without a local part before an `@`,
 * keep their first two and last two characters when at least 8 characters long (`+3***01`), and are
 * `***` otherwise. Characters are counted as code points, so no surrogate pair is split.
 */
export function maskIdentifier(field: IdentifierField, value: string): string {
  const text = value.trim();

  if (field === 'email') {
    const at = text.lastIndexOf('@');
    if (at > 0) return `${String.fromCodePoint(text.codePointAt(0)!)}***${text.slice(at)}`;
  }

  const characters = Array.from(text);
  if (characters.length < minLengthToShowEnds) return '***';
  return `${characters.slice(0, 2).join('')}***${characters.slice(-2).join('')}`;
}
