import { describe, expect, it } from 'vitest';

import {
  identifierFields,
  maskIdentifier,
  normalizeEmail,
  normalizePhoneNumber,
  readIdentifiers,
} from '../../core/identifiers.js';
import { checkAsciiEmail, isEmailByPatterns } from '../../core/normalize-identifiers.js';

const fr = { defaultRegion: 'FR' };

describe('normalizeEmail', () => {
  it('lower-cases and trims', () => {
    expect(normalizeEmail('Ana@Example.COM')).toBe('ana@example.com');
    expect(normalizeEmail(' ana@example.com ')).toBe('ana@example.com');
  });

  it.each([
    'ana.example.com',
    'ana @example.com',
    'ana@exa mple.com',
    'a@b@example.com',
    '@example.com',
    'ana@',
    'ana@example',
    'ana@example..com',
    'ana@-example.com',
    '.ana@example.com',
    'an..a@example.com',
    '"a b"@example.com',
    '',
  ])('rejects %j', (raw) => {
    expect(normalizeEmail(raw)).toBeNull();
  });

  it('accepts plus and international domains', () => {
    expect(normalizeEmail('Ana+News@Exämple.fr')).toBe('ana+news@exämple.fr');
  });

  it.each(['ana.', 'ana@example.com.', 'ana@example-.com', 'ana.@example.com', 'a\tb@example.com'])(
    'rejects %j on the ASCII path',
    (raw) => {
      expect(checkAsciiEmail(raw)).toBe('invalid');
      expect(normalizeEmail(raw)).toBeNull();
    },
  );

  it('ASCII path agrees with the patterns', () => {
    // Random strings over the characters that decide validity, plus a valid address as a base.
    const alphabet = [
      'a',
      'z',
      '0',
      '9',
      '.',
      '@',
      '-',
      '+',
      '_',
      ' ',
      '"',
      '(',
      ';',
      '\\',
      '\u007f',
      '\u0001',
    ];
    let seed = 12345;
    const nextRandom = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };

    let validCount = 0;
    for (let round = 0; round < 20_000; round++) {
      let email = round % 2 === 0 ? 'ana@example.com' : '';
      const extra = Math.floor(nextRandom() * 6);
      for (let i = 0; i < extra; i++) {
        const position = Math.floor(nextRandom() * (email.length + 1));
        const character = alphabet[Math.floor(nextRandom() * alphabet.length)]!;
        email = email.slice(0, position) + character + email.slice(position);
      }

      const expected = isEmailByPatterns(email) ? 'valid' : 'invalid';
      expect(checkAsciiEmail(email), JSON.stringify(email)).toBe(expected);
      if (expected === 'valid') validCount += 1;
    }
    // Both outcomes must be common, or the comparison proves little.
    expect(validCount).toBeGreaterThan(2_000);
    expect(20_000 - validCount).toBeGreaterThan(2_000);
  });

  it('long local part and address are invalid on both paths', () => {
    const longLocal = 'a'.repeat(65) + '@example.com';
    const longAddress = 'a@' + 'b'.repeat(250) + '.com';
    expect(checkAsciiEmail(longLocal)).toBe('invalid');
    expect(isEmailByPatterns(longLocal)).toBe(false);
    expect(checkAsciiEmail(longAddress)).toBe('invalid');
    expect(isEmailByPatterns(longAddress)).toBe(false);
    expect(checkAsciiEmail('a'.repeat(64) + '@example.com')).toBe('valid');
  });

  it('non-ASCII goes to the patterns', () => {
    expect(checkAsciiEmail('zoé@example.com')).toBe('not-ascii');
    expect(normalizeEmail('Zoé@Example.com')).toBe('zoé@example.com');
  });
});

describe('normalizePhoneNumber', () => {
  it.each(['06 39 98 00 01', '+33 6 39 98 00 01', '0033639980001', '06-39-98-00-01', '(0)6.39.98.00.01'])(
    'reads %j in FR',
    (raw) => {
      expect(normalizePhoneNumber(raw, 'FR')).toBe('+33639980001');
    },
  );

  it('keeps a foreign calling code', () => {
    expect(normalizePhoneNumber('+44 20 7946 0958', 'FR')).toBe('+442079460958');
  });

  it.each(['12345', '+33 6 39 98 00', 'call 06 39 98 00 01', '06 39 98 00 01 ext. 5', 'abc', ''])(
    'rejects %j',
    (raw) => {
      expect(normalizePhoneNumber(raw, 'FR')).toBeNull();
    },
  );

  it('unknown region throws', () => {
    expect(() => normalizePhoneNumber('0639980001', 'XX')).toThrow(
      'default region must be an ISO 3166-1 alpha-2 code that libphonenumber-js supports, such as FR, got "XX"',
    );
  });
});

describe('maskIdentifier', () => {
  it('email keeps first letter and domain', () => {
    expect(maskIdentifier('email', 'jane@example.com')).toBe('j***@example.com');
  });

  it('long values keep both ends', () => {
    expect(maskIdentifier('phone_number', '+33639980001')).toBe('+3***01');
    expect(maskIdentifier('external_id', 'ext-123456')).toBe('ex***56');
  });

  it('short values are hidden', () => {
    expect(maskIdentifier('phone_number', '12345')).toBe('***');
    expect(maskIdentifier('id', '1234567')).toBe('***');
  });

  it('email without @ masks like others', () => {
    expect(maskIdentifier('email', 'ana.example.com')).toBe('an***om');
  });

  it('never splits a surrogate pair', () => {
    expect(maskIdentifier('custom_identifier', '😀😀abcdef😀😀')).toBe('😀😀***😀😀');
  });
});

describe('readIdentifiers', () => {
  it('same person whatever the email case', () => {
    const first = readIdentifiers({ email: 'Ana@Example.COM', first_name: 'Ana' }, fr);
    const second = readIdentifiers({ email: ' ana@example.com ', first_name: 'Anna' }, fr);

    expect(first).toEqual({ ok: true, identifiers: { email: 'ana@example.com' } });
    expect(second).toEqual(first);
  });

  it('local phone forms match E.164', () => {
    for (const phone of ['06 39 98 00 01', '+33 6 39 98 00 01', '0033639980001']) {
      expect(readIdentifiers({ phone_number: phone }, fr)).toEqual({
        ok: true,
        identifiers: { phone_number: '+33639980001' },
      });
    }
  });

  it('collects and trims every identifier', () => {
    const record = {
      id: ' p-1 ',
      external_id: '0012345',
      custom_identifier: '4411E3',
      email: 'Bob@Example.com',
      phone_number: '0612345678',
    };

    expect(readIdentifiers(record, fr)).toEqual({
      ok: true,
      identifiers: {
        id: 'p-1',
        external_id: '0012345',
        custom_identifier: '4411E3',
        email: 'bob@example.com',
        phone_number: '+33612345678',
      },
    });
  });

  it('invalid phone reason is masked', () => {
    expect(readIdentifiers({ phone_number: '12345' }, fr)).toEqual({
      ok: false,
      reason: 'invalid phone_number *** for default region FR',
    });
    expect(readIdentifiers({ phone_number: '+33 6 39 98 00' }, fr)).toEqual({
      ok: false,
      reason: 'invalid phone_number +3***00 for default region FR',
    });
  });

  it('invalid email reason is masked', () => {
    expect(readIdentifiers({ email: 'jane doe@example.com' }, fr)).toEqual({
      ok: false,
      reason: 'invalid email j***@example.com',
    });
  });

  it('blank values count as absent', () => {
    expect(readIdentifiers({ email: '   ', external_id: '', id: null, first_name: 'Ana' }, fr)).toEqual({
      ok: false,
      reason: 'no identifier: the record has none of id, external_id, custom_identifier, email, phone_number',
    });
  });

  it('blank email beside an id is fine', () => {
    expect(readIdentifiers({ email: ' ', external_id: 'ext-1' }, fr)).toEqual({
      ok: true,
      identifiers: { external_id: 'ext-1' },
    });
  });

  it('non-text identifier is invalid', () => {
    expect(readIdentifiers({ external_id: true }, fr)).toEqual({
      ok: false,
      reason: 'invalid external_id: expected text, got a boolean',
    });
    expect(readIdentifiers({ id: { value: 1 } }, fr)).toEqual({
      ok: false,
      reason: 'invalid id: expected text, got an object',
    });
  });

  it('lists the fields in match order', () => {
    expect(identifierFields).toEqual(['id', 'external_id', 'custom_identifier', 'email', 'phone_number']);
  });
});
