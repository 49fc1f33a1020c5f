import { randomBytes } from 'node:crypto';
import { expect, test } from 'vitest';
import { bigrams, bloomFromString, bloomToString, diceBloom, encodeBloom, encodeBloomOf, FOLDED_BITS, popcount, positionalGrams } from './bloom';

const KEY = randomBytes(32);

test.each(['smith', 'o', '', 'van der berg', 'müller', 'jo_hn'])('encodeBloomOf(%j) equals encodeBloom of its bigrams', (v) => {
  expect(bloomToString(encodeBloomOf(KEY, v, 'bigrams', 15))).toBe(bloomToString(encodeBloom(KEY, bigrams(v), 15)));
});

test.each(['19560409', '2119', '', 'AB123'])('encodeBloomOf(%j) equals encodeBloom of its positional grams', (v) => {
  expect(bloomToString(encodeBloomOf(KEY, v, 'positional', 12))).toBe(bloomToString(encodeBloom(KEY, positionalGrams(v), 12)));
});

test('filters round-trip through their string form and Dice behaves', () => {
  const a = encodeBloom(KEY, bigrams('harrington'), 15);
  const b = bloomFromString(bloomToString(a));
  expect(b).toEqual(a);
  expect(b.length * 32).toBe(FOLDED_BITS);
  expect(diceBloom(a, b)).toBe(1);
  expect(popcount(a)).toBeGreaterThan(50);
  expect(Number.isNaN(diceBloom(encodeBloom(KEY, [], 15), a))).toBe(true);
  expect(() => bloomFromString('abc')).toThrow(RangeError);
});
