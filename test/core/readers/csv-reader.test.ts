import { describe, expect, it } from 'vitest';

import { FileFormatError } from '../../../core/file-errors.js';
import { defaultCsvOptions, type FileFormat } from '../../../core/file-format.js';
import { readIdentifiers } from '../../../core/identifiers.js';
import { bytesOf, readAll, readUntilError, recordsOf, utf8 } from './read-helpers.js';

function csvWith(options: Partial<FileFormat['csv']>): FileFormat {
  return { format: 'csv', encoding: 'utf-8', csv: { ...defaultCsvOptions, ...options } };
}

describe('CSV byte-order mark', () => {
  const body = '"email";custom_fields.has_loyalty_card\r\nana@example.com;true\r\n';

  it('is skipped before the header', async () => {
    const items = await readAll(bytesOf(0xef, 0xbb, 0xbf, utf8(body)));

    expect(items).toEqual([
      { kind: 'header', columns: ['email', 'custom_fields.has_loyalty_card'], endOffset: 43, nextLine: 2 },
      {
        kind: 'record',
        line: 2,
        offset: 43,
        record: { email: 'ana@example.com', custom_fields: { has_loyalty_card: true } },
      },
    ]);
  });

  it('gives the same records as without it', async () => {
    const withMark = recordsOf(await readAll(bytesOf(0xef, 0xbb, 0xbf, utf8(body))));
    const withoutMark = recordsOf(await readAll(utf8(body)));

    expect(withMark.map((item) => item.record)).toEqual(withoutMark.map((item) => item.record));
    expect(withoutMark[0]!.offset).toBe(40);
  });
});

describe('CSV escapes', () => {
  it('backslash escapes only the quote or itself', async () => {
    const file = 'email;note\nana@example.com;"say \\"hi\\""\nbob@example.com;"C:\\temp\\x"\n';

    const records = recordsOf(await readAll(utf8(file)));

    expect(records.map((item) => item.record.note)).toEqual(['say "hi"', 'C:\\temp\\x']);
    expect(records.map((item) => item.offset)).toEqual([11, 40]);
  });

  it('double backslash is one backslash', async () => {
    const records = recordsOf(await readAll(utf8('email;note\nana@example.com;"end\\\\"\n')));

    expect(records[0]!.record.note).toBe('end\\');
  });

  it('quote as escape reads doubled quotes', async () => {
    const file = 'email;note\nana@example.com;"say ""hi"""\nbob@example.com;"C:\\temp\\x"\n';

    const records = recordsOf(await readAll(utf8(file), { fileFormat: csvWith({ escape: '"' }) }));

    expect(records.map((item) => item.record.note)).toEqual(['say "hi"', 'C:\\temp\\x']);
  });

  it('doubled quotes also work with backslash escape', async () => {
    const records = recordsOf(await readAll(utf8('email;note\nana@example.com;"say ""hi"""\n')));

    expect(records[0]!.record.note).toBe('say "hi"');
  });

  it('quote inside an unquoted cell is text', async () => {
    const records = recordsOf(await readAll(utf8('email;note\nana@example.com;5" screen\n')));

    expect(records[0]!.record.note).toBe('5" screen');
  });

  it('quoted cell keeps delimiters', async () => {
    const records = recordsOf(await readAll(utf8('email;note\nana@example.com;"a;b"\n')));

    expect(records[0]!.record).toEqual({ email: 'ana@example.com', note: 'a;b' });
  });

  it('other dialect characters apply', async () => {
    const fileFormat = csvWith({ delimiter: ',', quote: "'", escape: "'" });

    const records = recordsOf(
      await readAll(utf8("email,note\nana@example.com,'it''s, fine'\n"), { fileFormat }),
    );

    expect(records[0]!.record).toEqual({ email: 'ana@example.com', note: "it's, fine" });
  });
});

describe('CSV unclosed quote', () => {
  const file = 'email;note\nana@example.com;"unclosed\nbob@example.com;x\ncarl@example.com;y\n';

  it('fails naming the line of the quote', async () => {
    const { error } = await readUntilError(utf8(file));

    expect(error).toBeInstanceOf(FileFormatError);
    expect((error as FileFormatError).message).toBe(
      'the quote opened at line 2, column 17 is never closed, so the rest of the file would be one value. Close or escape that quote.',
    );
    expect((error as FileFormatError).line).toBe(2);
    expect((error as FileFormatError).column).toBe(17);
  });

  it('yields no record after the quote', async () => {
    const { items } = await readUntilError(utf8(file));

    expect(items).toEqual([{ kind: 'header', columns: ['email', 'note'], endOffset: 11, nextLine: 2 }]);
  });

  it('fails early past the record length limit', async () => {
    const longFile = 'email;note\nana@example.com;"unclosed\n' + 'bob@example.com;x\n'.repeat(50);

    const { error } = await readUntilError(utf8(longFile), { maxRecordLength: 100 }, 16);

    expect((error as FileFormatError).message).toBe(
      'the row at line 2 is longer than the limit of 100 characters, and the quote opened at line 2, column 17 is still open. Close or escape that quote.',
    );
    expect((error as FileFormatError).line).toBe(2);
  });

  it('escaped quote does not close the value', async () => {
    const { error } = await readUntilError(utf8('email;note\nana@example.com;"C:\\"\nbob@example.com;x\n'));

    expect((error as FileFormatError).line).toBe(2);
  });
});

describe('CSV empty rows', () => {
  const file = 'email;first_name\r\nana@example.com;Ana\r\n;\r\n\r\n';

  it('skips blank lines and keeps empty-cell rows', async () => {
    const items = await readAll(utf8(file));

    expect(items).toEqual([
      { kind: 'header', columns: ['email', 'first_name'], endOffset: 18, nextLine: 2 },
      { kind: 'record', line: 2, offset: 18, record: { email: 'ana@example.com', first_name: 'Ana' } },
      { kind: 'record', line: 3, offset: 39, record: {} },
    ]);
  });

  it('empty-cell row has no identifier', async () => {
    const records = recordsOf(await readAll(utf8(file)));

    expect(readIdentifiers(records[1]!.record, { defaultRegion: 'FR' })).toEqual({
      ok: false,
      reason: 'no identifier: the record has none of id, external_id, custom_identifier, email, phone_number',
    });
  });

  it('blank lines before the header are skipped', async () => {
    const items = await readAll(utf8('\n\r\nemail\nana@example.com\n'));

    expect(items).toEqual([
      { kind: 'header', columns: ['email'], endOffset: 9, nextLine: 4 },
      { kind: 'record', line: 4, offset: 9, record: { email: 'ana@example.com' } },
    ]);
  });

  it('empty file yields nothing', async () => {
    expect(await readAll(new Uint8Array(0))).toEqual([]);
  });

  it('header-only file yields the header', async () => {
    expect(await readAll(utf8('email;note'))).toEqual([
      { kind: 'header', columns: ['email', 'note'], endOffset: 10, nextLine: 2 },
    ]);
  });

  it('last row without a line break is read', async () => {
    const records = recordsOf(await readAll(utf8('email;note\r\nana@example.com;x\r')));

    expect(records).toEqual([
      { kind: 'record', line: 2, offset: 12, record: { email: 'ana@example.com', note: 'x' } },
    ]);
  });

  it('empty cells are absent fields', async () => {
    const records = recordsOf(await readAll(utf8('email;external_id;note\n;ext-1;\n')));

    expect(records[0]!.record).toEqual({ external_id: 'ext-1' });
  });

  it('fewer cells than columns is fine', async () => {
    const records = recordsOf(await readAll(utf8('email;note\nana@example.com\n')));

    expect(records[0]!.record).toEqual({ email: 'ana@example.com' });
  });
});

describe('CSV invalid rows', () => {
  it('more cells than columns is invalid', async () => {
    const items = await readAll(utf8('email;note\nana@example.com;a;b\nbob@example.com;x\n'));

    expect(items.slice(1)).toEqual([
      { kind: 'invalid', line: 2, offset: 11, reason: 'line 2 has 3 cells but the header has 2 columns' },
      { kind: 'record', line: 3, offset: 31, record: { email: 'bob@example.com', note: 'x' } },
    ]);
  });

  it('text after a closing quote is invalid', async () => {
    const items = await readAll(utf8('email;note\nana@example.com;"a"b\nbob@example.com;x\n'));

    expect(items.slice(1)).toEqual([
      {
        kind: 'invalid',
        line: 2,
        offset: 11,
        reason: 'invalid CSV at line 2: unexpected text after the closing quote in column 2',
      },
      { kind: 'record', line: 3, offset: 32, record: { email: 'bob@example.com', note: 'x' } },
    ]);
  });

  it('value under an unnamed column is invalid', async () => {
    const items = await readAll(utf8('email;\nana@example.com;\nbob@example.com;x\n'));

    expect(items.slice(1)).toEqual([
      { kind: 'record', line: 2, offset: 7, record: { email: 'ana@example.com' } },
      {
        kind: 'invalid',
        line: 3,
        offset: 24,
        reason: 'line 3 has a value in column 2, which has no name in the header',
      },
    ]);
  });

  it('granted that is not a boolean is invalid', async () => {
    const items = await readAll(utf8('email;consents.newsletter.granted\nana@example.com;yes\n'));

    expect(items[1]).toEqual({
      kind: 'invalid',
      line: 2,
      offset: 34,
      reason: 'consents.newsletter.granted at line 2 must be true or false',
    });
  });
});

describe('CSV header', () => {
  it('repeated column fails', async () => {
    const { error } = await readUntilError(utf8('email;note;email\nana@example.com;x;y\n'));

    expect((error as FileFormatError).message).toBe(
      'invalid header at line 1: column "email" appears twice (columns 1 and 3)',
    );
    expect((error as FileFormatError).line).toBe(1);
  });

  it('value column beside nested columns fails', async () => {
    const { error } = await readUntilError(utf8('email;custom_fields;custom_fields.tier\n'));

    expect((error as FileFormatError).message).toBe(
      'invalid header at line 1: column "custom_fields.tier" nests a field under column "custom_fields", which is a value. Keep only one of them.',
    );
  });

  it('empty part in a dotted name fails', async () => {
    const { error } = await readUntilError(utf8('email;custom_fields..tier\n'));

    expect((error as FileFormatError).message).toBe(
      'invalid header at line 1, column 2: field name "custom_fields..tier" has an empty part between its dots',
    );
  });

  it('__proto__ column fails', async () => {
    const { error } = await readUntilError(utf8('email;custom_fields.__proto__.x\n'));

    expect((error as FileFormatError).message).toBe(
      'invalid header at line 1, column 2: field name "custom_fields.__proto__.x" uses the reserved name __proto__',
    );
  });

  it('column names are trimmed', async () => {
    const records = recordsOf(await readAll(utf8(' email ; note\nana@example.com;x\n')));

    expect(records[0]!.record).toEqual({ email: 'ana@example.com', note: 'x' });
  });

  it('inherited names are plain fields', async () => {
    const records = recordsOf(await readAll(utf8('email;constructor.name;toString\nana@example.com;a;b\n')));

    expect(records[0]!.record).toEqual({
      email: 'ana@example.com',
      constructor: { name: 'a' },
      toString: 'b',
    });
    expect(Object.getPrototypeOf(records[0]!.record)).toBe(Object.prototype);
  });
});

describe('CSV typing', () => {
  it('identifiers stay exact text', async () => {
    const file =
      'external_id;phone_number;custom_fields.has_loyalty_card\n0012345;0612345678;true\n4411E3;+33612345678;FALSE\n';

    const records = recordsOf(await readAll(utf8(file)));

    expect(records.map((item) => item.record)).toEqual([
      { external_id: '0012345', phone_number: '0612345678', custom_fields: { has_loyalty_card: true } },
      { external_id: '4411E3', phone_number: '+33612345678', custom_fields: { has_loyalty_card: false } },
    ]);
  });

  it('nested columns are typed', async () => {
    const file =
      'email;birthdate;consents.newsletter.granted;consents.newsletter.date;' +
      'consents.newsletter.consent_version.version_id;consents.newsletter.consent_version.language;' +
      'custom_fields.points;custom_fields.code;custom_fields.since\n' +
      'ana@example.com;1990-01-31;True;2024-05-01T10:00:00Z;1.0;fr;42;0012;2024-05-01\n';

    const records = recordsOf(await readAll(utf8(file)));

    expect(records[0]!.record).toEqual({
      email: 'ana@example.com',
      birthdate: '1990-01-31',
      consents: {
        newsletter: {
          granted: true,
          date: '2024-05-01T10:00:00Z',
          consent_version: { version_id: '1.0', language: 'fr' },
        },
      },
      custom_fields: { points: 42, code: '0012', since: '2024-05-01' },
    });
  });

  it('top-level fields are never typed', async () => {
    const records = recordsOf(await readAll(utf8('id;name;gender;created_at\n42;true;1;2024-01-01\n')));

    expect(records[0]!.record).toEqual({ id: '42', name: 'true', gender: '1', created_at: '2024-01-01' });
  });
});

describe('CSV quoted line breaks', () => {
  const file = 'email;note\nana@example.com;"line1\nline2"\nbob@example.com;x\ncarl@example.com;y\n';

  it('records start at exact byte offsets', async () => {
    const items = await readAll(utf8(file));

    expect(items).toEqual([
      { kind: 'header', columns: ['email', 'note'], endOffset: 11, nextLine: 2 },
      { kind: 'record', line: 2, offset: 11, record: { email: 'ana@example.com', note: 'line1\nline2' } },
      { kind: 'record', line: 4, offset: 41, record: { email: 'bob@example.com', note: 'x' } },
      { kind: 'record', line: 5, offset: 59, record: { email: 'carl@example.com', note: 'y' } },
    ]);
  });

  it('line feed inside quotes starts no record', async () => {
    const bytes = utf8(file);
    const offsets = recordsOf(await readAll(bytes)).map((item) => item.offset);

    expect(bytes.indexOf(0x0a, 11)).toBe(33);
    expect(offsets).not.toContain(34);
  });

  it('reading from offset 59 gives carl alone', async () => {
    const bytes = utf8(file);

    const items = await readAll(bytes.subarray(59), {
      startOffset: 59,
      startLine: 5,
      header: ['email', 'note'],
    });

    expect(items).toEqual([
      { kind: 'record', line: 5, offset: 59, record: { email: 'carl@example.com', note: 'y' } },
    ]);
  });

  it('CRLF inside quotes is kept', async () => {
    const records = recordsOf(
      await readAll(utf8('email;note\r\nana@example.com;"a\r\nb"\r\nbob@example.com;x\r\n')),
    );

    expect(records.map((item) => [item.line, item.offset, item.record.note])).toEqual([
      [2, 12, 'a\r\nb'],
      [4, 36, 'x'],
    ]);
  });
});

describe('CSV options', () => {
  it('delimiter of two characters is rejected', async () => {
    const { error } = await readUntilError(utf8('email\n'), { fileFormat: csvWith({ delimiter: ';;' }) });

    expect(error).toBeInstanceOf(RangeError);
    expect((error as RangeError).message).toBe('delimiter must be one character, got ";;"');
  });

  it('delimiter equal to quote is rejected', async () => {
    const { error } = await readUntilError(utf8('email\n'), { fileFormat: csvWith({ delimiter: '"' }) });

    expect((error as RangeError).message).toBe('delimiter and quote must differ, both are "\\""');
  });

  it('offset read without header is rejected', async () => {
    const { error } = await readUntilError(utf8('carl@example.com;y\n'), { startOffset: 59, startLine: 5 });

    expect((error as RangeError).message).toBe(
      'header is required to read CSV from an offset above 0. Pass the columns of the header item.',
    );
  });

  it('offset read without line is rejected', async () => {
    const { error } = await readUntilError(utf8('carl@example.com;y\n'), {
      startOffset: 59,
      header: ['email'],
    });

    expect((error as RangeError).message).toBe('startLine is required when startOffset is above 0');
  });
});
