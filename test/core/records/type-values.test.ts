import { describe, expect, it } from 'vitest';

import { inferValue, parseBoolean, valueKindOf } from '../../../core/records/type-values.js';

describe('inferValue', () => {
  it.each([
    ['true', true],
    ['FALSE', false],
    [' True ', true],
    ['42', 42],
    ['-3.5', -3.5],
    ['0', 0],
    ['0.25', 0.25],
  ])('types %j', (text, expected) => {
    expect(inferValue(text)).toBe(expected);
  });

  it.each([
    '0012',
    '1.50',
    '1e3',
    '+5',
    '.5',
    '-0',
    '12345678901234567890',
    '4411E3',
    ' 42',
    'yes',
    '2024-05-01',
    'truthy',
  ])('keeps %j as text', (text) => {
    expect(inferValue(text)).toBe(text);
  });
});

describe('parseBoolean', () => {
  it('reads any letter case', () => {
    expect(parseBoolean('tRuE')).toBe(true);
    expect(parseBoolean('False')).toBe(false);
  });

  it('rejects other text', () => {
    expect(parseBoolean('1')).toBeUndefined();
    expect(parseBoolean('yes')).toBeUndefined();
    expect(parseBoolean('')).toBeUndefined();
  });
});

describe('valueKindOf', () => {
  it('top-level fields are text', () => {
    expect(valueKindOf(['external_id'])).toBe('text');
    expect(valueKindOf(['custom_fields'])).toBe('text');
  });

  it('custom fields are inferred', () => {
    expect(valueKindOf(['custom_fields', 'points'])).toBe('inferred');
    expect(valueKindOf(['custom_fields', 'a', 'b'])).toBe('inferred');
  });

  it('consent granted is boolean', () => {
    expect(valueKindOf(['consents', 'newsletter', 'granted'])).toBe('boolean');
  });

  it('other consent fields are text', () => {
    expect(valueKindOf(['consents', 'newsletter', 'date'])).toBe('text');
    expect(valueKindOf(['consents', 'newsletter', 'consent_version', 'version_id'])).toBe('text');
  });
});
