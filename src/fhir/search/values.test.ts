import { describe, expect, test } from 'vitest';
import { dateRange, instantText, normalizeString, numberRange, splitEscaped, splitPrefix, unescapeValue } from './values';

describe('dateRange (http://hl7.org/fhir/R4/search.html#date)', () => {
  test.each([
    ['2013', '2013-01-01T00:00:00.000Z', '2014-01-01T00:00:00.000Z'],
    ['2013-02', '2013-02-01T00:00:00.000Z', '2013-03-01T00:00:00.000Z'],
    ['2013-12-31', '2013-12-31T00:00:00.000Z', '2014-01-01T00:00:00.000Z'],
    ['2013-01-14T10:00', '2013-01-14T10:00:00.000Z', '2013-01-14T10:01:00.000Z'],
    ['2013-01-14T10:00:00Z', '2013-01-14T10:00:00.000Z', '2013-01-14T10:00:01.000Z'],
    ['2013-01-14T10:00:00+02:00', '2013-01-14T08:00:00.000Z', '2013-01-14T08:00:01.000Z'],
    ['2013-01-14T10:00:00.5-05:00', '2013-01-14T15:00:00.500Z', '2013-01-14T15:00:00.600Z'],
    ['2013-01-14T10:00:00.123Z', '2013-01-14T10:00:00.123Z', '2013-01-14T10:00:00.124Z'],
  ])('%s → [%s, %s)', (value, low, high) => {
    const r = dateRange(value)!;
    expect(new Date(r.low).toISOString()).toBe(low);
    expect(new Date(r.high).toISOString()).toBe(high);
  });

  test.each(['2013-13', '2013-02-30', '13', '2013-01-14T10', 'abc', '2013-01-14T25:00', ''])('%s is malformed', (value) => {
    expect(dateRange(value)).toBeUndefined();
  });

  test('open ends are spelled as Postgres infinities', () => {
    expect(instantText(Infinity)).toBe('infinity');
    expect(instantText(-Infinity)).toBe('-infinity');
  });
});

describe('numberRange (significant figures)', () => {
  test.each([
    ['100', '100', '5e-1'],
    ['100.00', '100.00', '5e-3'],
    ['1e2', '100', '5e1'],
    ['0.25', '0.25', '5e-3'],
    ['-3.5', '-3.5', '5e-2'],
  ])('%s → %s ± %s', (value, v, half) => {
    expect(numberRange(value)).toEqual({ value: v, half });
  });
  test.each(['abc', '1..2', '', '1e'])('%s is malformed', (v) => expect(numberRange(v)).toBeUndefined());
});

describe('prefixes and escaping', () => {
  test.each([
    ['ge2013', 'ge', '2013'],
    ['2013', 'eq', '2013'],
    ['ap5', 'ap', '5'],
    ['xx5', 'eq', 'xx5'],
  ])('%s → %s %s', (value, prefix, rest) => expect(splitPrefix(value)).toEqual({ prefix, rest }));

  test('commas and pipes can be escaped', () => {
    expect(splitEscaped('a\\,b,c', ',')).toEqual(['a\\,b', 'c']);
    expect(splitEscaped('http://x|a\\|b', '|').map(unescapeValue)).toEqual(['http://x', 'a|b']);
  });

  test('strings normalise case and accents', () => {
    expect(normalizeString('  Zoë  MÜLLER ')).toBe('zoe muller');
  });
});
