import { describe, expect, test } from 'vitest';
import { normalizeNationalId, normalizePhone, normalizePostcode, normalizeSex } from './contact';
import { normalizeDate } from './date';
import { parseName } from './name';
import { canonicalGivenNames, nicknameEquivalent } from './nicknames';
import { normalizePerson } from './normalize-person';
import { foldText } from './text';

describe('foldText', () => {
  test.each([
    ['  José  Müller-Lüdenscheidt ', 'jose muller ludenscheidt'],
    ['ZOË', 'zoe'],
    ["O'Brien", 'obrien'],
    ['Straße', 'strasse'],
    ['ﬁnn', 'finn'], // NFKD expands the ligature
    ['', ''],
  ])('%j → %j', (input, expected) => expect(foldText(input)).toBe(expected));
});

describe('parseName', () => {
  test.each([
    ['Dr. John Smith Jr.', false, ['john', 'smith'], 'jr'],
    ['Robert  Smith III', false, ['robert', 'smith'], 'iii'],
    ['Mrs Mary-Anne', false, ['mary', 'anne'], ''],
    ['Smith Sr', true, ['smith'], 'sr'],
    ['Jr', false, ['jr'], ''],
  ])('%j', (input, isFamily, words, suffix) => {
    expect(parseName(input, isFamily)).toEqual({ words, suffix });
  });

  test('a suffix is kept as its own field, never dropped', () => {
    const n = normalizePerson({ given: 'John', family: 'Smith Jr.' });
    expect(n.family).toBe('smith');
    expect(n.suffix).toBe('jr');
    expect(normalizePerson({ given: 'John', family: 'Smith', suffix: 'Senior' }).suffix).toBe('sr');
  });
});

describe('normalizeDate', () => {
  test.each([
    ['19560409', '19560409', ['19560409'], '19560904'],
    ['1956-04-09', '19560409', ['19560409'], '19560904'],
    ['25/12/1990', '19901225', ['19901225'], ''],
    ['12/25/1990', '19901225', ['19901225'], ''],
    ['04/09/1956', '19560904', ['19560904', '19560409'], '19560409'],
    ['1956-04-09T00:00:00Z', '19560409', ['19560409'], '19560904'],
    ['1956', '1956', ['1956'], ''],
    ['not a date', '', [], ''],
    ['31/31/2000', '', [], ''],
  ])('%j', (input, value, candidates, transposed) => {
    expect(normalizeDate(input)).toEqual({ value, candidates, transposed });
  });

  test('an ambiguous date read month-first keeps the day-first reading as a candidate', () => {
    expect(normalizeDate('04/09/1956', 'mdy').candidates).toEqual(['19560409', '19560904']);
  });
});

describe('contact fields', () => {
  test.each([
    ['(02) 9876 5432', 'AU', '+61298765432'],
    ['+1 415-555-2671', 'AU', '+14155552671'],
    ['415 555 2671', 'US', '+14155552671'],
    ['12', 'AU', ''],
  ] as const)('phone %j (%s) → %j', (raw, country, e164) => expect(normalizePhone(raw, country)).toBe(e164));

  test.each([
    [' 2119 ', '2119'],
    ['94105-1234', '94105'],
    ['sw1a 1aa', 'SW1A1AA'],
  ])('postcode %j → %j', (raw, expected) => expect(normalizePostcode(raw)).toBe(expected));

  test.each([
    ['123-45-6789', '123456789'],
    ['000000000', ''],
    [' 1804974', '1804974'],
  ])('national id %j → %j', (raw, expected) => expect(normalizeNationalId(raw)).toBe(expected));

  test.each([
    ['male', 'm'],
    ['F', 'f'],
    ['unknown', ''],
    ['other', 'o'],
  ])('sex %j → %j', (raw, expected) => expect(normalizeSex(raw)).toBe(expected));
});

describe('nicknames', () => {
  test.each([
    ['bob', 'robert', true],
    ['rob', 'bob', true],
    ['bill', 'william', true],
    ['peggy', 'margaret', true],
    ['robert', 'william', false],
    ['john', 'james', false],
    ['bill', 'robert', true],
  ])('%s ~ %s = %s', (a, b, expected) => expect(nicknameEquivalent(a, b)).toBe(expected));

  test('canonical forms include the name and its formal names', () => {
    expect(canonicalGivenNames('bob')).toEqual(expect.arrayContaining(['bob', 'robert']));
  });

  test('normalizePerson gives nickname canonical forms and phonetic codes', () => {
    const n = normalizePerson({ given: 'Bob', family: 'Smyth', birthDate: '1956-04-09' });
    expect(n.givenCanonical).toContain('robert');
    expect(n.familyPhonetic).toBe(normalizePerson({ family: 'Smith' }).familyPhonetic);
  });

  test('placeholder given names such as "Baby" are treated as missing', () => {
    expect(normalizePerson({ given: 'Baby', family: 'Smith' }).given).toBe('');
  });
});
