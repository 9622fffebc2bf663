import { describe, expect, it } from 'vitest';

import { defaultCsvOptions, type FileFormat, type TextEncoding } from '../../../core/file-format.js';
import type { ReaderItem } from '../../../core/profile-record.js';
import { readRecordBatches } from '../../../core/readers/read-records.js';
import { bytesOf, chunksOf, jsonFormat, readAll, utf8 } from './read-helpers.js';

const csvText =
  'email;note;custom_fields.tier\r\n' +
  'ana@example.com;"line1\r\nline2";gold\r\n' +
  '\r\n' +
  'zoé@example.com;Zoé 😀;x\r\n' +
  'bob@example.com;"say \\"hi\\"";\r\n' +
  'carl@example.com;a;b;c\r\n' +
  ';\r\n' +
  'dan@example.com;"é\nè"';

const jsonText =
  '{"email":"ana@example.com","note":"Zoé 😀 }{"}\r\n' +
  '{\n  "email": "bob@example.com",\n  "consents": {"newsletter": {"granted": true}}\n}\n' +
  '\n' +
  '{"email": "carl@example.com" "x": 1}\n' +
  '{"external_id": 12345678901234567890, "custom_fields.tier": "é"}';

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

/** Files that mix multi-byte characters, CRLF, quoted line breaks, blank lines and invalid rows. */
const files: { name: string; bytes: Uint8Array; fileFormat: FileFormat; resumeFormat: FileFormat }[] = [
  {
    name: 'CSV in UTF-8 with mark',
    bytes: bytesOf(0xef, 0xbb, 0xbf, utf8(csvText)),
    fileFormat: csvIn('utf-8'),
    resumeFormat: csvIn('utf-8'),
  },
  {
    name: 'CSV in UTF-16LE with mark',
    bytes: bytesOf(0xff, 0xfe, utf16le(csvText)),
    fileFormat: csvIn('utf-16'),
    resumeFormat: csvIn('utf-16le'),
  },
  {
    name: 'CSV in UTF-16BE with mark',
    bytes: bytesOf(0xfe, 0xff, utf16be(csvText)),
    fileFormat: csvIn('utf-16'),
    resumeFormat: csvIn('utf-16be'),
  },
  {
    name: 'CSV in Windows-1252',
    bytes: Uint8Array.from(Buffer.from(csvText.replace(' 😀', ' €').replace('€', '\x80'), 'latin1')),
    fileFormat: csvIn('windows-1252'),
    resumeFormat: csvIn('windows-1252'),
  },
  { name: 'JSON in UTF-8', bytes: utf8(jsonText), fileFormat: jsonFormat, resumeFormat: jsonFormat },
  {
    name: 'JSON in UTF-16LE with mark',
    bytes: bytesOf(0xff, 0xfe, utf16le(jsonText)),
    fileFormat: { ...jsonFormat, encoding: 'utf-16' },
    resumeFormat: { ...jsonFormat, encoding: 'utf-16le' },
  },
];

function headerOf(items: ReaderItem[]): string[] | undefined {
  const header = items[0];
  return header?.kind === 'header' ? header.columns : undefined;
}

describe.each(files)('$name', ({ bytes, fileFormat, resumeFormat }) => {
  it('whole read has every item', async () => {
    const items = await readAll(bytes, { fileFormat });

    const kinds = items.map((item) => item.kind);
    if (fileFormat.format === 'csv') {
      expect(kinds).toEqual(['header', 'record', 'record', 'record', 'invalid', 'record', 'record']);
      expect(items.map((item) => (item.kind === 'header' ? item.nextLine : item.line))).toEqual([
        2, 2, 5, 6, 7, 8, 9,
      ]);
    } else {
      expect(kinds).toEqual(['record', 'record', 'invalid', 'record']);
      expect(items.map((item) => (item.kind === 'header' ? item.nextLine : item.line))).toEqual([1, 2, 7, 8]);
    }
  });

  it('1-byte chunks give the same items', async () => {
    const whole = await readAll(bytes, { fileFormat });

    expect(await readAll(bytes, { fileFormat }, 1)).toEqual(whole);
  });

  it('7-byte chunks give the same items', async () => {
    const whole = await readAll(bytes, { fileFormat });

    expect(await readAll(bytes, { fileFormat }, 7)).toEqual(whole);
  });

  it('resuming at any item gives the tail', async () => {
    const whole = await readAll(bytes, { fileFormat });
    const header = headerOf(whole);
    const items = whole.filter((item) => item.kind !== 'header');

    for (const [index, item] of items.entries()) {
      const tail = await readAll(
        bytes.subarray(item.offset),
        { fileFormat: resumeFormat, startOffset: item.offset, startLine: item.line, header },
        5,
      );
      expect(tail).toEqual(items.slice(index));
    }
  });
});

describe('CSV header offsets', () => {
  it('resuming after the header gives all rows', async () => {
    const bytes = bytesOf(0xef, 0xbb, 0xbf, utf8(csvText));
    const whole = await readAll(bytes);
    const header = whole[0];
    if (header?.kind !== 'header') throw new Error('expected a header item first');

    const rest = await readAll(bytes.subarray(header.endOffset), {
      startOffset: header.endOffset,
      startLine: header.nextLine,
      header: header.columns,
    });

    expect(header.endOffset).toBe(34);
    expect(rest).toEqual(whole.slice(1));
  });

  it('resuming at the end gives nothing', async () => {
    const bytes = utf8(csvText);

    const rest = await readAll(new Uint8Array(0), {
      startOffset: bytes.length,
      startLine: 10,
      header: ['email'],
    });

    expect(rest).toEqual([]);
  });
});

describe('large input chunks', () => {
  /** 8,000 rows of varying length with two-byte and four-byte characters, about 320 KB in all. */
  function largeCsv(): { bytes: Uint8Array; rows: number } {
    const lines = ['email;note'];
    for (let index = 0; index < 8_000; index++) {
      lines.push(`user${index}@example.com;${'é'.repeat(index % 17)}${index % 5 === 0 ? '😀' : ''}x`);
    }
    return { bytes: utf8(lines.join('\n') + '\n'), rows: 8_000 };
  }

  it('one 320 KB chunk reads like small chunks', async () => {
    const { bytes, rows } = largeCsv();

    const whole = await readAll(bytes, {}, bytes.length);
    const small = await readAll(bytes, {}, 997);

    expect(bytes.length).toBeGreaterThan(4 * 65_536);
    // The reader decodes 64 KiB at a time, and the first boundary falls inside a four-byte emoji.
    expect(bytes[65_536]! & 0xc0).toBe(0x80);
    expect(whole).toHaveLength(rows + 1);
    expect(whole).toEqual(small);
  });

  it('offsets past 64 KiB point at their rows', async () => {
    const { bytes } = largeCsv();
    const decoder = new TextDecoder();

    const items = await readAll(bytes, {}, bytes.length);

    for (const item of items) {
      if (item.kind !== 'record') continue;
      const start = decoder.decode(bytes.subarray(item.offset, item.offset + 30));
      expect(start.startsWith(`${String(item.record['email'])};`)).toBe(true);
    }
  });

  it('batches contain at most 512 items', async () => {
    const { bytes, rows } = largeCsv();
    const sizes: number[] = [];

    for await (const batch of readRecordBatches(chunksOf(bytes, bytes.length), {
      fileFormat: csvIn('utf-8'),
    })) {
      sizes.push(batch.length);
    }

    expect(Math.max(...sizes)).toBe(512);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(rows + 1);
  });

  it('JSON batches contain at most 512 items', async () => {
    const text = Array.from({ length: 1_500 }, (_, index) => `{"email":"user${index}@example.com"}`).join(
      '\n',
    );
    const sizes: number[] = [];

    for await (const batch of readRecordBatches(chunksOf(utf8(text), text.length), {
      fileFormat: jsonFormat,
    })) {
      sizes.push(batch.length);
    }

    expect(sizes).toEqual([512, 512, 476]);
  });
});
