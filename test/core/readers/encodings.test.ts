import { describe, expect, it } from 'vitest';

import { FileFormatError } from '../../../core/file-errors.js';
import { defaultCsvOptions, type FileFormat, type TextEncoding } from '../../../core/file-format.js';
import { detectTextEncoding } from '../../../core/readers/decode-text.js';
import { bytesOf, readAll, readUntilError, recordsOf, utf8 } from './read-helpers.js';

function csvIn(encoding: TextEncoding): FileFormat {
  return { format: 'csv', encoding, csv: defaultCsvOptions };
}

function utf16le(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'utf16le'));
}

function utf16be(text: string): Uint8Array {
  const bytes = utf16le(text);
  for (let index = 0; index < bytes.length; index += 2) {
    [bytes[index], bytes[index + 1]] = [bytes[index + 1]!, bytes[index]!];
  }
  return bytes;
}

function latin1(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'latin1'));
}

describe('UTF-16', () => {
  const text = 'email;first_name\r\nzoe@example.com;Zoé\r\n';

  it('little-endian mark is detected', async () => {
    const items = await readAll(bytesOf(0xff, 0xfe, utf16le(text)), { fileFormat: csvIn('utf-16') });

    expect(items).toEqual([
      { kind: 'header', columns: ['email', 'first_name'], endOffset: 38, nextLine: 2 },
      { kind: 'record', line: 2, offset: 38, record: { email: 'zoe@example.com', first_name: 'Zoé' } },
    ]);
  });

  it('big-endian mark is detected', async () => {
    const file = bytesOf(0xfe, 0xff, utf16be(text + 'bob@example.com;Bob\r\n'));

    const records = recordsOf(await readAll(file, { fileFormat: csvIn('utf-16') }));

    expect(records.map((item) => [item.line, item.offset, item.record.first_name])).toEqual([
      [2, 38, 'Zoé'],
      [3, 80, 'Bob'],
    ]);
  });

  it('big-endian without mark reads', async () => {
    const records = recordsOf(await readAll(utf16be(text), { fileFormat: csvIn('utf-16be') }));

    expect(records).toEqual([
      { kind: 'record', line: 2, offset: 36, record: { email: 'zoe@example.com', first_name: 'Zoé' } },
    ]);
  });

  it('no mark means little-endian', async () => {
    const records = recordsOf(await readAll(utf16le(text), { fileFormat: csvIn('utf-16') }));

    expect(records[0]!.record.first_name).toBe('Zoé');
    expect(records[0]!.offset).toBe(36);
  });

  it('surrogate pair counts four bytes', async () => {
    const file = bytesOf(0xff, 0xfe, utf16le('email;note\nana@example.com;😀\nbob@example.com;x\n'));

    const records = recordsOf(await readAll(file, { fileFormat: csvIn('utf-16le') }));

    expect(records.map((item) => item.offset)).toEqual([24, 62]);
    expect(records[0]!.record.note).toBe('😀');
  });

  it('lone surrogate fails with its line', async () => {
    const file = bytesOf(utf16le('email;note\nana@example.com;'), 0x00, 0xdc, utf16le('\n'));

    const { error } = await readUntilError(file, { fileFormat: csvIn('utf-16le') });

    expect((error as FileFormatError).message).toBe(
      'not valid UTF-16LE at line 2, byte offset 54. Set the encoding the file was written in.',
    );
    expect((error as FileFormatError).line).toBe(2);
  });

  it('odd byte at the end fails', async () => {
    const file = bytesOf(utf16le('email\nana@example.com\n'), 0x41);

    const { error } = await readUntilError(file, { fileFormat: csvIn('utf-16le') });

    expect((error as FileFormatError).message).toBe(
      'not valid UTF-16LE at line 3, byte offset 44. Set the encoding the file was written in.',
    );
  });

  it('offset read needs a byte order', async () => {
    const { error } = await readUntilError(utf16le('bob@example.com;x\n'), {
      fileFormat: csvIn('utf-16'),
      startOffset: 80,
      startLine: 3,
      header: ['email', 'note'],
    });

    expect((error as RangeError).message).toBe(
      'encoding utf-16 needs the byte-order mark at the start of the file. Pass utf-16le or utf-16be to read from an offset.',
    );
  });

  it('detection settles the byte order', () => {
    expect(detectTextEncoding('utf-16', Uint8Array.of(0xfe, 0xff, 0))).toEqual({
      encoding: 'utf-16be',
      bomLength: 2,
    });
    expect(detectTextEncoding('utf-16', Uint8Array.of(0xff, 0xfe, 0))).toEqual({
      encoding: 'utf-16le',
      bomLength: 2,
    });
    expect(detectTextEncoding('utf-16', Uint8Array.of(0x65, 0))).toEqual({
      encoding: 'utf-16le',
      bomLength: 0,
    });
    expect(detectTextEncoding('utf-8', Uint8Array.of(0xef, 0xbb, 0xbf))).toEqual({
      encoding: 'utf-8',
      bomLength: 3,
    });
    expect(detectTextEncoding('windows-1252', Uint8Array.of(0xef, 0xbb, 0xbf))).toEqual({
      encoding: 'windows-1252',
      bomLength: 0,
    });
  });
});

describe('single-byte encodings', () => {
  const file = bytesOf(utf8('email;first_name\nzoe@example.com;Zo'), 0xe9, 0x0a);

  it('ISO-8859-1 reads é', async () => {
    const records = recordsOf(await readAll(file, { fileFormat: csvIn('iso-8859-1') }));

    expect(records).toEqual([
      { kind: 'record', line: 2, offset: 17, record: { email: 'zoe@example.com', first_name: 'Zoé' } },
    ]);
  });

  it('ISO-8859-1 byte 80 is a control', async () => {
    const records = recordsOf(
      await readAll(latin1('email;note\nana@example.com;\x80\n'), { fileFormat: csvIn('iso-8859-1') }),
    );

    expect(records[0]!.record.note).toBe('\u0080');
  });

  it('Windows-1252 reads the euro sign', async () => {
    const bytes = bytesOf(
      utf8('email;note\nana@example.com;'),
      0x80,
      0x20,
      0xe9,
      utf8('\nbob@example.com;x\n'),
    );

    const records = recordsOf(await readAll(bytes, { fileFormat: csvIn('windows-1252') }));

    expect(records.map((item) => [item.line, item.offset, item.record.note])).toEqual([
      [2, 11, '€ é'],
      [3, 31, 'x'],
    ]);
  });

  it('Windows-1252 undefined byte fails', async () => {
    const bytes = bytesOf(utf8('email;note\nana@example.com;x\nbob@example.com;'), 0x81, 0x0a);

    const { items, error } = await readUntilError(bytes, { fileFormat: csvIn('windows-1252') }, 8);

    expect((error as FileFormatError).message).toBe(
      'not valid Windows-1252 at line 3, byte offset 45. Set the encoding the file was written in.',
    );
    expect(recordsOf(items).map((item) => item.line)).toEqual([2]);
  });
});

describe('UTF-8', () => {
  it('invalid byte fails at its line', async () => {
    const file = bytesOf(utf8('email;first_name\nzoe@example.com;Zo'), 0xe9, 0x0a);

    const { error } = await readUntilError(file);

    expect(error).toBeInstanceOf(FileFormatError);
    expect((error as FileFormatError).message).toBe(
      'not valid UTF-8 at line 2, byte offset 35. Set the encoding the file was written in.',
    );
    expect((error as FileFormatError).line).toBe(2);
  });

  it('invalid byte never becomes U+FFFD', async () => {
    const file = bytesOf(utf8('email;first_name\nzoe@example.com;Zo'), 0xe9, utf8('\nbob@example.com;Bob\n'));

    const { items } = await readUntilError(file, {}, 4);

    expect(JSON.stringify(items)).not.toContain('\uFFFD');
    expect(items).toEqual([{ kind: 'header', columns: ['email', 'first_name'], endOffset: 17, nextLine: 2 }]);
  });

  it('invalid byte in a later chunk keeps its line', async () => {
    const file = bytesOf(utf8('email\nana@example.com\nbob@example.com\n\ncarl'), 0xc3, 0x28, 0x0a);

    const { items, error } = await readUntilError(file, {}, 5);

    expect((error as FileFormatError).line).toBe(5);
    expect((error as FileFormatError).message).toBe(
      'not valid UTF-8 at line 5, byte offset 43. Set the encoding the file was written in.',
    );
    expect(recordsOf(items).map((item) => item.line)).toEqual([2, 3]);
  });

  it('truncated character at the end fails', async () => {
    const file = bytesOf(utf8('email\nzo'), 0xc3);

    const { error } = await readUntilError(file);

    expect((error as FileFormatError).message).toBe(
      'not valid UTF-8 at line 2, byte offset 8. Set the encoding the file was written in.',
    );
  });

  it('overlong encoding fails', async () => {
    const file = bytesOf(utf8('email\n'), 0xc0, 0xaf, 0x0a);

    const { error } = await readUntilError(file);

    expect((error as FileFormatError).line).toBe(2);
  });

  it('multi-byte characters count their bytes', async () => {
    const file = utf8('email;note\nana@example.com;Zoé 😀\nbob@example.com;x\n');

    const records = recordsOf(await readAll(file));

    expect(records.map((item) => item.offset)).toEqual([11, 37]);
    expect(records[0]!.record.note).toBe('Zoé 😀');
  });
});
