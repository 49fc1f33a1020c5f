import { expect, test } from 'vitest';
import { normalizePerson } from '../normalize/normalize-person';
import type { PersonPhi } from '../person';
import { comparePhi, GENERATION_YEARS, idsSequential, namesSwapped, nameTypo } from './compare-phi';
import { F } from './features';

const base: PersonPhi = {
  given: 'Lachlan', family: 'Rivers', birthDate: '19960904', streetNumber: '5', addressLine: 'Perier Place', city: 'Corio', state: 'nsw', postcode: '4313',
};
const cmp = (a: PersonPhi, b: PersonPhi) => comparePhi(normalizePerson(a), normalizePerson(b));

test.each([
  ['lachlan', 'lachlq', true], // two keying errors in the tail of a long name
  ['lachlan', 'lachlna', true],
  ['jessica', 'jesica', true], // one edit, 4+ letters
  ['mia', 'miu', true], // one edit on a short name that Jaro–Winkler still rates similar
  ['drew', 'rew', true],
  ['ava', 'eva', false], // different short names
  ['kim', 'tim', false],
  ['luka', 'laura', false], // two edits, no long shared prefix: twins' names
  ['amelia', 'edward', false],
  ['maxin', 'maxnw', false], // two edits with a 3-letter prefix: not enough evidence
  ['anna', 'anna', true],
  ['', 'anna', false],
])('nameTypo(%j, %j) = %s', (x, y, want) => {
  expect(nameTypo(x, y)).toBe(want);
  expect(nameTypo(y, x)).toBe(want);
});

test.each([
  ['1234567', '1234568', true], // last character
  ['1234519', '1234520', true], // consecutive across a carry
  ['1234567', '1243567', false], // transposition: a typo
  ['6531276', '6539267', false],
  ['AB12345', 'AB12346', true],
  ['1234567', '1234567', false],
])('idsSequential(%j, %j) = %s', (x, y, want) => expect(idsSequential(x, y)).toBe(want));

test('swapped given and family names are recognised even with a typo on one side, or a multi-word family name entered as given names', () => {
  const n = (given: string, family: string, middle?: string) => normalizePerson({ given, family, middle });
  expect(namesSwapped(n('sophie', 'snell'), n('snell', 'sophie'))).toBe(true);
  expect(namesSwapped(n('snell', 'sophie'), n('sophie', 'sndl'))).toBe(true);
  expect(namesSwapped(n('cambell', 'delacruz'), n('de la cruz', 'cambell'))).toBe(true);
  expect(namesSwapped(n('amelia', 'ryan'), n('edward', 'ryan'))).toBe(false);
  expect(namesSwapped(n('flynn', 'weller'), n('weller', 'ebony'))).toBe(false); // other given name and swapped: still another name
  const c = cmp({ ...base, given: 'Snell', family: 'Sophie' }, { ...base, given: 'Sophie', family: 'Sndl' });
  expect([c.levels[F.given], c.levels[F.family]]).toEqual([1, 1]);
  expect(c.givenConflict).toBe(false);
});

test('given-name conflict: genuinely different names only', () => {
  expect(cmp(base, { ...base, given: 'Lachlq' }).givenConflict).toBe(false);
  expect(cmp({ ...base, given: 'Robert' }, { ...base, given: 'Bob' }).givenConflict).toBe(false); // nickname
  expect(cmp(base, { ...base, given: 'L' }).givenConflict).toBe(false); // initial
  expect(cmp(base, { ...base, given: 'Edward' }).givenConflict).toBe(true);
  expect(cmp({ ...base, given: 'Luka' }, { ...base, given: 'Laura' }).givenConflict).toBe(true);
  expect(cmp(base, { ...base, given: '' }).givenConflict).toBe(false); // missing is not a conflict
});

test('date-of-birth conflict and generation gap', () => {
  expect(cmp(base, { ...base, birthDate: '19860904' }).dobConflict).toBe(false); // one digit off: "near", not a conflict
  const sibling = cmp(base, { ...base, birthDate: '19880214' }); // 8 years apart: conflict, not a generation
  expect(sibling.dobConflict).toBe(true);
  expect(sibling.generationGap).toBe(false);
  const parent = cmp(base, { ...base, birthDate: `${1996 - GENERATION_YEARS}0214` });
  expect(parent.generationGap).toBe(true);
  expect(cmp(base, { ...base, birthDate: '19960914' }).dobConflict).toBe(false); // same year
});

test('two keying errors in a national id still vouch for the person; consecutive numbers do not', () => {
  const typo = cmp({ ...base, nationalId: '6531276' }, { ...base, nationalId: '6539267' });
  expect(typo.levels[F.nid]).toBe(2);
  expect(typo.idsTypo).toBe(true);
  const twins = cmp({ ...base, nationalId: '6531219' }, { ...base, nationalId: '6531220' });
  expect(twins.idsTypo).toBe(false);
  expect(twins.idsDifferAtEnd).toBe(true);
  expect(cmp({ ...base, nationalId: '6531276' }, { ...base, nationalId: '1399936' }).idsTypo).toBe(false);
});
