import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DecryptionError } from '../../core/decryption/decryption-error.js';
import { defaultFileFormat } from '../../core/file-format.js';
import type { ReaderItem } from '../../core/profile-record.js';
import { readRecords } from '../../core/readers/read-records.js';
import type { EncryptionSettings } from '../../core/source-settings.js';
import type { FileSource } from '../../sources/file-source.js';
import { JobFile } from '../../sources/job-file.js';
import { LocalFileSource } from '../../sources/local-source.js';
import { SourceError } from '../../sources/source-errors.js';
import { fixtureCsv } from '../support/deletion-fixture.js';
import { encryptWithOpenssl } from '../support/file-fixtures.js';

const password = 's3cret';
const binary: EncryptionSettings = { password, pbkdf2_iterations: 10_000, format: 'binary' };
const base64: EncryptionSettings = { ...binary, format: 'base64' };

let importRoot: string;

beforeAll(async () => {
  importRoot = await mkdtemp(path.join(tmpdir(), 'profile-jobs-job-file-'));
});

afterAll(async () => {
  await rm(importRoot, { recursive: true, force: true });
});

async function jobFileOf(name: string, content: Uint8Array | string, encryption?: EncryptionSettings) {
  await writeFile(path.join(importRoot, name), content);
  return new JobFile(await LocalFileSource.open(importRoot, name), encryption);
}

async function readText(file: JobFile, start = 0, end?: number): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const chunk of file.readPlainRange({ start, ...(end === undefined ? {} : { end }) })) {
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8');
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Error,
  );
}

/** Wraps a source so that its stat is unchanged but every read stops after `keptBytes` bytes. */
function cutShort(source: FileSource, keptBytes: number): FileSource {
  return {
    description: source.description,
    stat: () => source.stat(),
    read: async (range) => {
      const parts: Uint8Array[] = [];
      for await (const chunk of await source.read(range)) parts.push(chunk as Uint8Array);
      return Readable.from([Buffer.concat(parts).subarray(0, keptBytes)]);
    },
  };
}

const smallCsv = 'email\nana@example.com\n';

describe('openssl formats', () => {
  test('binary file decrypts to the plaintext', async () => {
    const file = await jobFileOf('a.enc', await encryptWithOpenssl(smallCsv, { password }), binary);

    expect(await file.plainSize()).toBe(smallCsv.length);
    expect(await readText(file)).toBe(smallCsv);
  });

  test('base64 file with line breaks decrypts', async () => {
    const text = fixtureCsv();
    const encrypted = await encryptWithOpenssl(text, { password, base64: true });
    expect(encrypted.toString('latin1', 0, 8)).toBe('U2FsdGVk');
    expect(encrypted.toString('latin1').split('\n')[0]).toHaveLength(64);
    const file = await jobFileOf('b.enc', encrypted, base64);

    expect(await readText(file)).toBe(text);
  });

  test('base64 file on one line decrypts', async () => {
    const text = fixtureCsv();
    const encrypted = await encryptWithOpenssl(text, { password, base64: true, singleLine: true });
    expect(encrypted.toString('latin1').trimEnd()).not.toContain('\n');
    const file = await jobFileOf('c.enc', encrypted, base64);

    expect(await readText(file)).toBe(text);
  });

  test('base64 rewrapped at 76 with CRLF decrypts', async () => {
    const text = fixtureCsv();
    const oneLine = (await encryptWithOpenssl(text, { password, base64: true, singleLine: true }))
      .toString('latin1')
      .trim();
    const rewrapped = (oneLine.match(/.{1,76}/g) ?? []).join('\r\n') + '\r\n';
    const file = await jobFileOf('d.enc', rewrapped, base64);

    expect(await readText(file)).toBe(text);
  });

  test('empty plaintext gives no bytes', async () => {
    const file = await jobFileOf('empty.enc', await encryptWithOpenssl('', { password }), binary);

    expect(await file.plainSize()).toBe(0);
    expect(await readText(file)).toBe('');
  });

  test('plaintext of whole blocks decrypts', async () => {
    const text = `email\n${'a'.repeat(25)}\n`;
    expect(text.length % 16).toBe(0);
    const file = await jobFileOf('blocks.enc', await encryptWithOpenssl(text, { password }), binary);

    expect(await file.plainSize()).toBe(text.length);
    expect(await readText(file)).toBe(text);
  });
});

describe('ranged reads of encrypted files', () => {
  const text = fixtureCsv();

  test.each([
    ['binary', binary],
    ['base64', base64],
  ] as const)('every range of a %s file matches the plaintext', async (format, encryption) => {
    const encrypted = await encryptWithOpenssl(text, { password, base64: format === 'base64' });
    const file = await jobFileOf(`ranges-${format}.enc`, encrypted, encryption);
    const plain = Buffer.from(text);

    // Starts and ends on both sides of block (16) and base64 group (3) boundaries.
    for (const start of [0, 1, 15, 16, 17, 47, 48, 1000, 20_011, plain.length - 17, plain.length - 1]) {
      for (const length of [1, 2, 16, 33, 4097]) {
        const end = Math.min(start + length, plain.length);
        expect(await readText(file, start, end), `[${start}, ${end})`).toBe(
          plain.subarray(start, end).toString(),
        );
      }
    }
    expect(await readText(file, plain.length)).toBe('');
  });

  test.each([
    ['binary', binary],
    ['base64', base64],
  ] as const)('chunk from the middle of a %s file gives the same records', async (format, encryption) => {
    const encrypted = await encryptWithOpenssl(text, { password, base64: format === 'base64' });
    const file = await jobFileOf(`middle-${format}.enc`, encrypted, encryption);
    const fullRead: ReaderItem[] = [];
    for await (const item of readRecords(file.readPlainRange({ start: 0 }), {
      fileFormat: defaultFileFormat,
    })) {
      fullRead.push(item);
    }
    const header = fullRead[0];
    const from = fullRead[501];
    if (header?.kind !== 'header' || from === undefined || from.kind === 'header') {
      throw new Error('the fixture must start with a header and hold 1,000 records');
    }

    const chunkRead: ReaderItem[] = [];
    const items = readRecords(file.readPlainRange({ start: from.offset }), {
      fileFormat: defaultFileFormat,
      startOffset: from.offset,
      startLine: from.line,
      header: header.columns,
    });
    for await (const item of items) {
      chunkRead.push(item);
    }

    expect(chunkRead).toHaveLength(500);
    expect(chunkRead).toEqual(fullRead.slice(501));
  });
});

describe('files that cannot be decrypted', () => {
  test('wrong password fails with the known message', async () => {
    const file = await jobFileOf('p.enc', await encryptWithOpenssl(smallCsv, { password }), {
      ...binary,
      password: 'not-the-password',
    });

    const error = await rejection(file.plainSize());

    expect(error).toBeInstanceOf(DecryptionError);
    expect((error as DecryptionError).failure).toBe('wrong_password');
    expect(error.message).toContain('could not decrypt: wrong password or iteration count');
    expect(error.message).not.toContain('not-the-password');
  });

  test('wrong iteration count fails the same way', async () => {
    const encrypted = await encryptWithOpenssl(fixtureCsv(), { password, iterations: 5000, base64: true });
    const file = await jobFileOf('iter.enc', encrypted, base64);

    const error = await rejection(readText(file));

    expect((error as DecryptionError).failure).toBe('wrong_password');
    expect(error.message).toContain('could not decrypt: wrong password or iteration count');
  });

  test('file made without -pbkdf2 names the expected form', async () => {
    const file = await jobFileOf(
      'old.enc',
      await encryptWithOpenssl(smallCsv, { password, pbkdf2: false }),
      binary,
    );

    const error = await rejection(file.plainSize());

    expect((error as DecryptionError).failure).toBe('old_key_derivation');
    expect(error.message).toContain('openssl enc -aes-256-cbc -salt -pbkdf2 -iter N');
  });

  test('file without Salted__ names the expected form', async () => {
    const file = await jobFileOf('plain.csv', smallCsv, binary);

    const error = await rejection(file.plainSize());

    expect((error as DecryptionError).failure).toBe('not_openssl_format');
    expect(error.message).toBe(
      'local file plain.csv is not an openssl encrypted file: it does not start with "Salted__". ' +
        "Encrypt it with `openssl enc -aes-256-cbc -salt -pbkdf2 -iter N`, or remove the definition's encryption settings if it is not encrypted.",
    );
  });

  test('base64 file read as binary names the right format', async () => {
    const file = await jobFileOf(
      'b64.enc',
      await encryptWithOpenssl(smallCsv, { password, base64: true }),
      binary,
    );

    const error = await rejection(file.plainSize());

    expect(error.message).toBe(
      'local file b64.enc is base64 (it starts with "U2FsdGVk"): set encryption.format to base64.',
    );
  });

  test('binary file read as base64 names the right format', async () => {
    const file = await jobFileOf('bin.enc', await encryptWithOpenssl(smallCsv, { password }), base64);

    const error = await rejection(file.plainSize());

    expect(error.message).toBe(
      'local file bin.enc is a binary openssl file, not base64: set encryption.format to binary.',
    );
  });

  test('base64 line of another length fails the read', async () => {
    const lines = (await encryptWithOpenssl(fixtureCsv(), { password, base64: true }))
      .toString('latin1')
      .split('\n');
    // Moving 4 characters from one line to the next keeps the count but breaks the layout.
    lines.splice(10, 2, lines[10]?.slice(0, 60) ?? '', `${lines[10]?.slice(60)}${lines[11]}`);
    const file = await jobFileOf('moved.enc', lines.join('\n'), base64);

    const error = await rejection(readText(file));

    expect((error as DecryptionError).failure).toBe('malformed');
    expect(error.message).toBe(
      'local file moved.enc is not base64 in the layout that `openssl enc -a` writes: byte 710 breaks the rule ' +
        'that every line but the last must hold 64 characters, as the first line does. ' +
        'Encode it again with `openssl base64` or use binary.',
    );
  });

  test('base64 lines that do not add up fail at once', async () => {
    const lines = (await encryptWithOpenssl(fixtureCsv(), { password, base64: true }))
      .toString('latin1')
      .split('\n');
    lines.splice(10, 2, `${lines[10]}${lines[11]}`);
    const file = await jobFileOf('joined.enc', lines.join('\n'), base64);

    const error = await rejection(file.plainSize());

    expect((error as DecryptionError).failure).toBe('malformed');
    expect(error.message).toContain('with lines of 64 characters, as its first line');
  });
});

describe('files cut short', () => {
  test('plain read that ends early fails as truncated', async () => {
    const content = 'email\nana@example.com\ncarl@example.com\n';
    await writeFile(path.join(importRoot, 'cut.csv'), content);
    const local = await LocalFileSource.open(importRoot, 'cut.csv');
    const file = new JobFile(cutShort(local, content.indexOf('carl@exa') + 8));

    const error = await rejection(readText(file));

    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).failure).toBe('file_changed');
    expect(error.message).toMatch(/changed or was truncated/);
  });

  test('records of a cut file stop before the cut', async () => {
    const content = 'email\nana@example.com\ncarl@example.com\n';
    await writeFile(path.join(importRoot, 'cut-records.csv'), content);
    const local = await LocalFileSource.open(importRoot, 'cut-records.csv');
    const file = new JobFile(cutShort(local, content.indexOf('carl@exa') + 8));
    const emails: unknown[] = [];

    const error = await rejection(
      (async () => {
        for await (const item of readRecords(file.readPlainRange({ start: 0 }), {
          fileFormat: defaultFileFormat,
        })) {
          if (item.kind === 'record') emails.push(item.record['email']);
        }
      })(),
    );

    expect((error as SourceError).failure).toBe('file_changed');
    expect(emails).toEqual(['ana@example.com']);
  });

  test('encrypted read that ends early fails as truncated', async () => {
    await writeFile(path.join(importRoot, 'cut.enc'), await encryptWithOpenssl(fixtureCsv(), { password }));
    const local = await LocalFileSource.open(importRoot, 'cut.enc');
    const file = new JobFile(cutShort(local, 1024), binary);

    const error = await rejection(readText(file, 1000, 5000));

    expect((error as SourceError).failure).toBe('file_changed');
    expect(error.message).toMatch(/changed or was truncated/);
  });
});
