import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js';

const maxEmailLength = 254;
const maxLocalPartLength = 64;
/** Characters an unquoted local part may not contain (RFC 5322 specials, besides `.` and `@`). */
const localPartSpecials = /["(),:;<>[\\\]]/;
const domainLabelPattern = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?$/u;
const whitespaceOrControl = /[\s\p{Cc}]/u;
/** 1 at each ASCII code an unquoted local part may contain: printable, not a space, not a special. */
const localPartCharacters = Uint8Array.from({ length: 0x80 }, (_, code) =>
  code > 0x20 && code < 0x7f && !localPartSpecials.test(String.fromCharCode(code)) ? 1 : 0,
);

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
  const asciiVerdict = checkAsciiEmail(email);
  const valid = asciiVerdict === 'not-ascii' ? isEmailByPatterns(email) : asciiVerdict === 'valid';
  return valid ? email : null;
}

/**
 * Checks a trimmed, lower-cased email by the rules of {@link normalizeEmail} with one pass over its
 * characters, which is several times faster than the patterns on the plain ASCII addresses that fill
 * most files. Returns `not-ascii` for text with other characters, which the patterns then check.
 */
export function checkAsciiEmail(email: string): 'valid' | 'invalid' | 'not-ascii' {
  const length = email.length;
  let at = -1;
  let labelStart = -1;
  let labels = 0;
  let invalid = length === 0 || length > maxEmailLength;

  for (let i = 0; i < length; i++) {
    const code = email.charCodeAt(i);
    if (code > 0x7f) return 'not-ascii';
    if (invalid) continue;

    if (code === 0x40) {
      // `@`: the local part before it must be non-empty, short enough, and not end with a dot.
      invalid = at !== -1 || i === 0 || i > maxLocalPartLength || email.charCodeAt(i - 1) === 0x2e;
      at = i;
      labelStart = i + 1;
    } else if (at === -1) {
      invalid =
        !isLocalPartCharacter(code) || (code === 0x2e && (i === 0 || email.charCodeAt(i - 1) === 0x2e));
    } else if (code === 0x2e) {
      invalid = !isDomainLabel(email, labelStart, i);
      labels += 1;
      labelStart = i + 1;
    } else {
      invalid = !isLetterOrDigit(code) && code !== 0x2d;
    }
  }

  if (invalid || at === -1 || !isDomainLabel(email, labelStart, length)) return 'invalid';
  return labels + 1 >= 2 ? 'valid' : 'invalid';
}

/** Checks that an ASCII character may appear in an unquoted local part: printable, not a space, not a special. */
function isLocalPartCharacter(code: number): boolean {
  return localPartCharacters[code] === 1;
}

function isLetterOrDigit(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a);
}

/**
 * Checks the ends of the domain label `email[start, end)`: non-empty and not a hyphen. The caller has
 * checked that every character is a letter, a digit or a hyphen.
 */
function isDomainLabel(email: string, start: number, end: number): boolean {
  return end > start && email.charCodeAt(start) !== 0x2d && email.charCodeAt(end - 1) !== 0x2d;
}

/** Checks an email by the rules of {@link normalizeEmail} with patterns, for addresses with non-ASCII characters. */
export function isEmailByPatterns(email: string): boolean {
  if (email.length === 0 || email.length > maxEmailLength || whitespaceOrControl.test(email)) return false;

  const at = email.indexOf('@');
  if (at <= 0 || at !== email.lastIndexOf('@')) return false;

  const localPart = email.slice(0, at);
  if (localPart.length > maxLocalPartLength || localPartSpecials.test(localPart)) return false;
  if (localPart.startsWith('.') || localPart.endsWith('.') || localPart.includes('..')) return false;

  const labels = email.slice(at + 1).split('.');
  return labels.length >= 2 && labels.every((label) => domainLabelPattern.test(label));
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
