import { describe, expect, it } from 'vitest';

import { FirstLineIndex } from '../../core/plan/first-line-index.js';

describe('FirstLineIndex', () => {
  it('keeps the first line of a value', () => {
    const index = new FirstLineIndex();

    expect(index.addIfAbsent(3, 'ana@example.com', 2)).toBe(-1);
    expect(index.addIfAbsent(3, 'ana@example.com', 7)).toBe(2);
    expect(index.find(3, 'ana@example.com')).toBe(2);
    expect(index.size).toBe(1);
  });

  it('separates fields with the same value', () => {
    const index = new FirstLineIndex();

    index.addIfAbsent(0, '0012345', 2);

    expect(index.find(1, '0012345')).toBe(-1);
    expect(index.addIfAbsent(1, '0012345', 3)).toBe(-1);
    expect(index.find(0, '0012345')).toBe(2);
    expect(index.find(1, '0012345')).toBe(3);
  });

  it('tells apart values sharing a prefix or length', () => {
    const index = new FirstLineIndex();

    index.addIfAbsent(0, 'ab', 1);

    expect(index.find(0, 'a')).toBe(-1);
    expect(index.find(0, 'abc')).toBe(-1);
    expect(index.find(0, 'ba')).toBe(-1);
    expect(index.find(0, '')).toBe(-1);
  });

  it('finds every one of 300,000 values after growing', () => {
    const index = new FirstLineIndex();
    const count = 300_000;

    for (let i = 0; i < count; i++) {
      expect(index.addIfAbsent(3, `user${i}@example.com`, i + 2)).toBe(-1);
    }

    expect(index.size).toBe(count);
    let wrong = 0;
    for (let i = 0; i < count; i++) {
      if (index.find(3, `user${i}@example.com`) !== i + 2) wrong += 1;
    }
    expect(wrong).toBe(0);
    expect(index.find(3, `user${count}@example.com`)).toBe(-1);
  });

  it('stores values across key pages', () => {
    const index = new FirstLineIndex();
    // 1,200 values of 1,000 code units fill more than one page of 1,048,576.
    const values = Array.from({ length: 1_200 }, (_, i) => String(i).padStart(1_000, 'x'));

    values.forEach((value, i) => index.addIfAbsent(2, value, i + 1));

    expect(values.map((value) => index.find(2, value))).toEqual(values.map((_, i) => i + 1));
  });

  it('stores a value longer than a page', () => {
    const index = new FirstLineIndex();
    const long = 'y'.repeat(1_100_000);

    index.addIfAbsent(2, 'short', 1);
    index.addIfAbsent(2, long, 2);
    index.addIfAbsent(2, 'after', 3);

    expect(index.find(2, long)).toBe(2);
    expect(index.find(2, long.slice(1))).toBe(-1);
    expect(index.find(2, 'short')).toBe(1);
    expect(index.find(2, 'after')).toBe(3);
  });

  it('keeps wide and Latin-1 keys apart', () => {
    const index = new FirstLineIndex();

    index.addIfAbsent(3, 'zoé@example.com', 5);
    index.addIfAbsent(3, 'a\u0129', 6);

    expect(index.find(3, 'zoé@example.com')).toBe(5);
    expect(index.find(3, 'a\u0129')).toBe(6);
    // U+0029 shares the low byte of U+0129, and U+0169 its high byte with another low byte.
    expect(index.find(3, 'a\u0029')).toBe(-1);
    expect(index.find(3, 'a\u0169')).toBe(-1);
  });

  it('compares characters outside the Basic Multilingual Plane', () => {
    const index = new FirstLineIndex();

    index.addIfAbsent(0, 'id-😀', 4);

    expect(index.find(0, 'id-😀')).toBe(4);
    expect(index.find(0, 'id-😁')).toBe(-1);
  });
});
