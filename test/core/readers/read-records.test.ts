import { describe, expect, it } from 'vitest';

import type { FileFormatError } from '../../../core/file-errors.js';
import { defaultFileFormat } from '../../../core/file-format.js';
import { readRecords } from '../../../core/readers/read-records.js';
import { readUntilError, utf8 } from './read-helpers.js';

describe('readRecords', () => {
  it('early stop closes the input', async () => {
    let closed = false;
    const input: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => ({ done: false, value: utf8('email\nana@example.com\n') }),
        return: async () => {
          closed = true;
          return { done: true, value: undefined };
        },
      }),
    };

    for await (const item of readRecords(input, { fileFormat: defaultFileFormat })) {
      if (item.kind === 'record') break;
    }

    expect(closed).toBe(true);
  });

  it('row without line break past limit fails', async () => {
    const { error } = await readUntilError(utf8('email\n' + 'a'.repeat(300)), { maxRecordLength: 100 }, 64);

    expect((error as FileFormatError).message).toBe(
      'the row at line 2 is longer than the limit of 100 characters. Check the delimiter and line breaks.',
    );
  });

  it('start line below 1 is rejected', async () => {
    const { error } = await readUntilError(utf8('x\n'), { startOffset: 4, startLine: 0, header: ['email'] });

    expect((error as RangeError).message).toBe('startLine must be an integer of at least 1, got 0');
  });

  it('negative offset is rejected', async () => {
    const { error } = await readUntilError(utf8('x\n'), { startOffset: -1 });

    expect((error as RangeError).message).toBe('startOffset must be a non-negative integer, got -1');
  });
});
