import { describe, expect, it } from 'vitest';

import { FileFormatError } from '../../../core/file-errors.js';
import { defaultCsvOptions } from '../../../core/file-format.js';
import { bytesOf, jsonFormat, readAll, readUntilError, recordsOf, utf8 } from './read-helpers.js';

const json = { fileFormat: jsonFormat };

describe('JSON shapes', () => {
  it('one object per line', async () => {
    const items = await readAll(utf8('{"email":"ana@example.com"}\n{"email":"bob@example.com"}'), json);

    expect(items).toEqual([
      { kind: 'record', line: 1, offset: 0, record: { email: 'ana@example.com' } },
      { kind: 'record', line: 2, offset: 28, record: { email: 'bob@example.com' } },
    ]);
  });

  it('pretty-printed object spans lines', async () => {
    const file = [
      '{',
      '  "email": "ana@example.com",',
      '  "consents": {',
      '    "newsletter": { "granted": true, "consent_version": { "language": "fr", "version_id": "v3" } }',
      '  }',
      '}',
      '{"email":"bob@example.com"}',
      '',
    ].join('\n');

    const items = await readAll(utf8(file), json);

    expect(items).toEqual([
      {
        kind: 'record',
        line: 1,
        offset: 0,
        record: {
          email: 'ana@example.com',
          consents: { newsletter: { granted: true, consent_version: { language: 'fr', version_id: 'v3' } } },
        },
      },
      {
        kind: 'record',
        line: 7,
        offset: file.indexOf('{"email":"bob'),
        record: { email: 'bob@example.com' },
      },
    ]);
  });

  it('braces inside strings do not count', async () => {
    const items = await readAll(utf8('{"email":"ana@example.com","note":"a}b{ \\"}"}'), json);

    expect(items).toEqual([
      { kind: 'record', line: 1, offset: 0, record: { email: 'ana@example.com', note: 'a}b{ "}' } },
    ]);
  });

  it('comma between objects fails', async () => {
    const { items, error } = await readUntilError(
      utf8('{"email":"ana@example.com"},\n{"email":"bob@example.com"}'),
      json,
    );

    expect(error).toBeInstanceOf(FileFormatError);
    expect((error as FileFormatError).message).toBe(
      'expected `{` at line 1, column 28 but found `,`. Profile objects are separated by line breaks, without commas.',
    );
    expect((error as FileFormatError).line).toBe(1);
    expect((error as FileFormatError).column).toBe(28);
    expect(items).toEqual([{ kind: 'record', line: 1, offset: 0, record: { email: 'ana@example.com' } }]);
  });

  it('top-level array fails', async () => {
    const { items, error } = await readUntilError(
      utf8('[{"email":"ana@example.com"},{"email":"bob@example.com"}]'),
      json,
    );

    expect((error as FileFormatError).message).toBe(
      'found `[` at line 1, column 1, but a JSON array is not the file format. Write one profile object per line, without the enclosing brackets and commas.',
    );
    expect((error as FileFormatError).line).toBe(1);
    expect((error as FileFormatError).column).toBe(1);
    expect(items).toEqual([]);
  });

  it('blank lines and CRLF between objects', async () => {
    const items = await readAll(
      utf8('\r\n{"email":"ana@example.com"}\r\n\r\n  {"email":"bob@example.com"}\r\n'),
      json,
    );

    expect(items).toHaveLength(2);
    expect(recordsOf(items).map((item) => [item.line, item.offset])).toEqual([
      [2, 2],
      [4, 35],
    ]);
  });

  it('top-level string fails', async () => {
    const { error } = await readUntilError(utf8('{"email":"ana@example.com"}\n  "bob"\n'), json);

    expect((error as FileFormatError).message).toBe(
      'expected `{` at line 2, column 3 but found `"`. Profile objects are separated by line breaks, without commas.',
    );
  });

  it('empty file yields nothing', async () => {
    expect(await readAll(utf8(' \n\n'), json)).toEqual([]);
  });
});

describe('JSON broken objects', () => {
  it('parse error yields invalid and continues', async () => {
    const file =
      '{"email":"ana@example.com"}\n{"email": "bob@example.com" "x": 1}\n{"email":"carl@example.com"}\n';

    const items = await readAll(utf8(file), json);

    expect(items).toEqual([
      { kind: 'record', line: 1, offset: 0, record: { email: 'ana@example.com' } },
      {
        kind: 'invalid',
        line: 2,
        offset: 28,
        reason: "invalid JSON at line 2, column 29: expected ',' or '}' after property value",
      },
      { kind: 'record', line: 3, offset: 64, record: { email: 'carl@example.com' } },
    ]);
  });

  it('error position on a later line', async () => {
    const file = '{"email":"ana@example.com"}\n{\n  "email": "bob@example.com",\n}\n';

    const items = await readAll(utf8(file), json);

    expect(items[1]).toEqual({
      kind: 'invalid',
      line: 2,
      offset: 28,
      reason: 'invalid JSON at line 4, column 1: expected double-quoted property name',
    });
  });

  it('unexpected token reason hides values', async () => {
    const items = await readAll(utf8('{"email": secret}\n{"email":"bob@example.com"}\n'), json);

    expect(items).toEqual([
      { kind: 'invalid', line: 1, offset: 0, reason: 'invalid JSON in the object at line 1, column 1' },
      { kind: 'record', line: 2, offset: 18, record: { email: 'bob@example.com' } },
    ]);
  });

  it('unclosed string fails at its line', async () => {
    const { items, error } = await readUntilError(
      utf8('{"email":"ana@example.com}\n{"email":"bob@example.com"}\n'),
      json,
    );

    expect((error as FileFormatError).message).toBe(
      'the string that opens at line 1, column 10 is not closed before the end of its line',
    );
    expect((error as FileFormatError).line).toBe(1);
    expect(items).toEqual([]);
  });

  it('unclosed object fails at the end', async () => {
    const { error } = await readUntilError(utf8('{"email":"ana@example.com",\n"note":{"a":1}\n'), json);

    expect((error as FileFormatError).message).toBe(
      'the JSON object that opens at line 1, column 1 is not closed by the end of the file',
    );
  });

  it('mismatched bracket fails', async () => {
    const { error } = await readUntilError(utf8('{"email":"ana@example.com",\n "tags":[1}\n'), json);

    expect((error as FileFormatError).message).toBe('mismatched `}` at line 2, column 11, expected `]`');
    expect((error as FileFormatError).column).toBe(11);
  });

  it('object past the length limit fails', async () => {
    const file = '{"email":"ana@example.com",\n' + '"note":"x",\n'.repeat(20);

    const { error } = await readUntilError(utf8(file), { ...json, maxRecordLength: 64 }, 16);

    expect((error as FileFormatError).message).toBe(
      'the JSON object at line 1, column 1 is longer than the limit of 64 characters. Check that its braces are closed.',
    );
  });
});

describe('JSON values', () => {
  it('numeric identifiers become exact text', async () => {
    const file =
      '{"id":42,"external_id":12345678901234567890,"phone_number":33612345678,"custom_fields":{"points":3,"id":7}}';

    const records = recordsOf(await readAll(utf8(file), json));

    expect(records[0]!.record).toEqual({
      id: '42',
      external_id: '12345678901234567890',
      phone_number: '33612345678',
      custom_fields: { points: 3, id: 7 },
    });
  });

  it('other values keep JSON types', async () => {
    const file =
      '{"email":"ana@example.com","custom_fields":{"vip":true,"score":1.5,"tags":["a"],"none":null}}';

    const records = recordsOf(await readAll(utf8(file), json));

    expect(records[0]!.record).toEqual({
      email: 'ana@example.com',
      custom_fields: { vip: true, score: 1.5, tags: ['a'], none: null },
    });
  });

  it('dotted keys are nested and merged', async () => {
    const file =
      '{"email":"ana@example.com","custom_fields.tier":"gold","custom_fields":{"points":3},"consents.newsletter.granted":true}';

    const records = recordsOf(await readAll(utf8(file), json));

    expect(records[0]!.record).toEqual({
      email: 'ana@example.com',
      custom_fields: { points: 3, tier: 'gold' },
      consents: { newsletter: { granted: true } },
    });
  });

  it('conflicting dotted key is invalid', async () => {
    const items = await readAll(utf8('{"custom_fields":"x","custom_fields.tier":"gold"}'), json);

    expect(items).toEqual([
      {
        kind: 'invalid',
        line: 1,
        offset: 0,
        reason:
          'invalid JSON object at line 1: field "custom_fields.tier" conflicts with another field that already sets it or one of its parent objects',
      },
    ]);
  });

  it('__proto__ key stays a plain field', async () => {
    const records = recordsOf(
      await readAll(utf8('{"email":"ana@example.com","__proto__":{"admin":true}}'), json),
    );

    expect(Object.getPrototypeOf(records[0]!.record)).toBe(Object.prototype);
    expect(Object.hasOwn(records[0]!.record, '__proto__')).toBe(true);
  });

  it('UTF-16 JSON counts two bytes per unit', async () => {
    const text = '{"email":"zoé@example.com"}\n{"email":"bob@example.com"}\n';
    const file = bytesOf(0xff, 0xfe, Uint8Array.from(Buffer.from(text, 'utf16le')));

    const items = await readAll(file, {
      fileFormat: { format: 'json', encoding: 'utf-16', csv: defaultCsvOptions },
    });

    expect(items).toHaveLength(2);
    expect(recordsOf(items).map((item) => [item.line, item.offset])).toEqual([
      [1, 2],
      [2, 58],
    ]);
  });
});
