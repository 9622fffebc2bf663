import { identifierFields, type IdentifierField } from './identifier-fields.js';
import { maskIdentifier } from './mask-identifier.js';
import { normalizeEmail, normalizePhoneNumber } from './normalize-identifiers.js';
import type { ProfileRecord } from './profile-record.js';

export { identifierFields, type IdentifierField } from './identifier-fields.js';
export { maskIdentifier } from './mask-identifier.js';
export { normalizeEmail, normalizePhoneNumber } from './normalize-identifiers.js';

/** The identifiers of one record, normalised as the store keeps them. */
export type Identifiers = Partial<Record<IdentifierField, string>>;

/** Result of {@link readIdentifiers}. A failure `reason` contains masked values only. */
export type IdentifierReading = { ok: true; identifiers: Identifiers } | { ok: false; reason: string };

const noIdentifierReason = `no identifier: the record has none of ${identifierFields.join(', ')}`;

/**
 * Collects and normalises the identifier fields a record carries. `id`, `external_id` and
 * `custom_identifier` are trimmed, `email` goes through {@link normalizeEmail} and `phone_number`
 * through {@link normalizePhoneNumber}. A missing, null, empty or whitespace-only value counts as
 * absent. The record fails when it has no identifier, when an email or phone number is invalid, or
 * when an identifier is not text.
 *
 * @throws RangeError when libphonenumber-js does not support `defaultRegion` and the record has a phone number.
 */
export function readIdentifiers(
  record: ProfileRecord,
  options: { defaultRegion: string },
): IdentifierReading {
  const identifiers: Identifiers = {};
  let found = false;

  for (const field of identifierFields) {
    const value = record[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') {
      return { ok: false, reason: `invalid ${field}: expected text, got ${describeType(value)}` };
    }
    const text = value.trim();
    if (text === '') continue;

    let normalized: string | null = text;
    if (field === 'email') {
      normalized = normalizeEmail(text);
      if (normalized === null) return { ok: false, reason: `invalid email ${maskIdentifier(field, text)}` };
    } else if (field === 'phone_number') {
      normalized = normalizePhoneNumber(text, options.defaultRegion);
      if (normalized === null) {
        const masked = maskIdentifier(field, text);
        return {
          ok: false,
          reason: `invalid phone_number ${masked} for default region ${options.defaultRegion}`,
        };
      }
    }
    identifiers[field] = normalized;
    found = true;
  }

  if (!found) return { ok: false, reason: noIdentifierReason };
  return { ok: true, identifiers };
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
