import { describe, expect, test } from 'vitest';
import { nextString, prefixRange } from './criteria-sql';

describe('nextString (upper bound of a prefix range)', () => {
  test.each([
    ['smit', 'smiu'],
    ['a', 'b'],
    ['zoë', 'zoì'],
    ['x\u{10FFFF}', 'y'],
    ['\u{D7FF}', '\u{E000}'],
  ])('%s → %s', (s, next) => {
    expect(nextString(s)).toBe(next);
  });
  test('no bound after the last code point', () => {
    expect(nextString('\u{10FFFF}')).toBeUndefined();
  });
  test('every string with the prefix sorts between prefix and bound (code point = UTF-8 byte order)', () => {
    const bytes = (s: string) => Buffer.from(s, 'utf8');
    for (const prefix of ['smit', 'mül', 'a\u{FFFF}']) {
      const upper = nextString(prefix)!;
      for (const s of [`${prefix}`, `${prefix}h`, `${prefix}\u{10FFFF}zz`, `${prefix}ü`]) {
        expect(Buffer.compare(bytes(s), bytes(prefix))).toBeGreaterThanOrEqual(0);
        expect(Buffer.compare(bytes(s), bytes(upper))).toBeLessThan(0);
      }
    }
  });
});

describe('prefixRange', () => {
  test('a bounded range on the text_pattern_ops operators', () => {
    const q = prefixRange('x.value_norm', 'smit');
    expect(q.text).toBe('x.value_norm ~>=~ ? AND x.value_norm ~<~ ?');
    expect(q.values).toEqual(['smit', 'smiu']);
  });
  test('the empty prefix matches every row of the parameter', () => {
    expect(prefixRange('x.value_norm', '').text).toBe('x.value_norm IS NOT NULL');
  });
});
