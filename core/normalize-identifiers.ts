import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js';

const maxEmailLength = 254;
const maxLocalPartLength = 64;
/** Characters an unquoted local part may not contain (RFC 5322 specials, besides `.` and `@`). */
const localPartSpecials = /["(),:;<>[\\\]]/;
const domainLabelPattern = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?$/u;
const whitespaceOrControl = /[\s\p{Cc}]/u;

/**
 * Normalises an email address for matching: surrounding whitespace removed and all letters
 * lower-cased, as the store keeps them. Returns null when the text is not an address. That is the
 * case without exactly one `@`, with whitespace or control characters inside, or with an empty or
 * over-long local part. A local part may not start or end with a dot or contain two in a row. The
 * domain needs at least two dot-separated labels of letters, digits and inner hyphens. Quoted local
 * parts (`"a b"@example.com`) are rejected too.
 */
export function normalizeEmail(raw: string): string | null {
  const email = raw.trim().toLowerCase();
  if (email.length === 0 || email.length > maxEmailLength || whitespaceOrControl.test(email)) return null;

  const at = email.indexOf('@');
  if (at <= 0 || at !== email.lastIndexOf('@')) return null;

  const localPart = email.slice(0, at);
  if (localPart.length > maxLocalPartLength || localPartSpecials.test(localPart)) return null;
  if (localPart.startsWith('.') || localPart.endsWith('.') || localPart.includes('..')) return null;

  const labels = email.slice(at + 1).split('.');
  if (labels.length < 2 || !labels.every((label) => domainLabelPattern.test(label))) return null;

  return email;
}

/**
 * Normalises a phone number to E.164 (`+33639980001`) with libphonenumber-js. A number without a
 * country calling code is read in `defaultRegion`, and so is one written with that region's
 * international prefix (`0033…` in France). Returns null when the text is not one whole phone
 * number (`extract: false`), has an extension, or fails `isValid()`.
 *
 * Validation uses the library's default metadata, which checks the length and the national number
 * pattern of the country. The `max` metadata also checks number ranges, and in libphonenumber-js
 * 1.13.17 it rejects French mobiles such as +33 6 39 98 00 01, which must still match stored profiles.
 *
 * @param defaultRegion ISO 3166-1 alpha-2 region code, such as `FR`.
 * @throws RangeError when libphonenumber-js does not support `defaultRegion`.
 */
export function normalizePhoneNumber(raw: string, defaultRegion: string): string | null {
  if (!isSupportedCountry(defaultRegion)) {
    throw new RangeError(
      `default region must be an ISO 3166-1 alpha-2 code that libphonenumber-js supports, such as FR, got "${defaultRegion}"`,
    );
  }

  const phone = parsePhoneNumberFromString(raw.trim(), { defaultCountry: defaultRegion, extract: false });
  if (phone === undefined || phone.ext !== undefined || !phone.isValid()) return null;
  return phone.number;
}
