import { describe, expect, test } from 'vitest';
import { masterKeyFromSecret } from '../keys';
import { normalizePerson } from '../normalize/normalize-person';
import type { PersonPhi } from '../person';
import { computeTokens } from '../tokens/compute-tokens';
import { defaultModel, type LinkMode } from './model';
import { scorePair, type MatchOutcome } from './score-pair';

const KEY = masterKeyFromSecret('clerical-test-secret-0123456789abcd');

const base: PersonPhi = {
  given: 'Robert', family: 'Harrington', sex: 'male', birthDate: '19560409', streetNumber: '38', addressLine: 'Maltby Circuit',
  addressLine2: 'Coaling', city: 'Coolaroo', state: 'nsw', postcode: '3465', nationalId: '9004242',
};

function score(a: PersonPhi, b: PersonPhi, mode: LinkMode) {
  const na = normalizePerson(a);
  const nb = normalizePerson(b);
  const model = defaultModel(mode);
  return mode === 'phi' ? scorePair(na, nb, model, 'phi') : scorePair(computeTokens(na, KEY), computeTokens(nb, KEY), model, 'token');
}

const rank: Record<MatchOutcome, number> = { 'non-match': 0, possible: 1, match: 2 };

// [case, a, b, the weakest acceptable outcome, the strongest acceptable outcome]
const cases: Array<[string, PersonPhi, PersonPhi, MatchOutcome, MatchOutcome]> = [
  ['same person, identical', base, { ...base }, 'match', 'match'],
  ['nickname Bob/Robert', base, { ...base, given: 'Bob' }, 'match', 'match'],
  ['transposed day and month of birth', base, { ...base, birthDate: '19560904' }, 'match', 'match'],
  ['date written another way', base, { ...base, birthDate: '1956-04-09' }, 'match', 'match'],
  ['maiden / married name, same first name, DOB and address', { ...base, given: 'Mary', sex: 'female' }, { ...base, given: 'Mary', sex: 'female', family: 'Oconnell', nationalId: '' }, 'possible', 'match'],
  [
    'a typo in every field',
    base,
    { given: 'Robret', family: 'Harringtom', sex: 'male', birthDate: '19560419', streetNumber: '38', addressLine: 'Maltbey Circuit', addressLine2: 'Coalng', city: 'Coolaro', state: 'nsw', postcode: '3456', nationalId: '9004224' },
    'match',
    'match',
  ],
  ['missing fields', base, { given: 'Robert', family: 'Harrington', birthDate: '19560409', postcode: '3465' }, 'match', 'match'],
  ['twins: same DOB and address, different first names', base, { ...base, given: 'Edward', nationalId: '9004243' }, 'non-match', 'possible'],
  ['twins with similar names (Luka / Laura)', { ...base, given: 'Luka' }, { ...base, given: 'Laura', nationalId: '7311852' }, 'non-match', 'possible'],
  ['twins, one first name not recorded, different ids', base, { ...base, given: '', nationalId: '7311852' }, 'non-match', 'possible'],
  ['two digit errors in the day and month, same year', base, { ...base, birthDate: '19560519' }, 'match', 'match'],
  ['twins without national ids', { ...base, nationalId: '' }, { ...base, given: 'Edward', nationalId: '' }, 'non-match', 'possible'],
  ['father and son: Jr / Sr', { ...base, suffix: 'Sr', birthDate: '19300101', nationalId: '' }, { ...base, suffix: 'Jr', nationalId: '' }, 'non-match', 'non-match'],
  ['father and son: Jr / Sr, same DOB recorded', { ...base, suffix: 'Sr' }, { ...base, suffix: 'Jr' }, 'non-match', 'non-match'],
  ['father and son without suffixes, decades apart', { ...base, birthDate: '19300101', nationalId: '' }, { ...base, nationalId: '' }, 'non-match', 'possible'],
  [
    'mother and newborn: same surname and address',
    { ...base, given: 'Sarah', sex: 'female', birthDate: '19900312', nationalId: '' },
    { ...base, given: 'Baby', sex: 'female', birthDate: '20240101', nationalId: '' },
    'non-match',
    'possible',
  ],
  ['mother and named newborn', { ...base, given: 'Sarah', sex: 'female', birthDate: '19900312', nationalId: '' }, { ...base, given: 'Chloe', sex: 'female', birthDate: '20240101', nationalId: '' }, 'non-match', 'non-match'],
  ['typo in a long given name (two keying errors in its tail)', { ...base, given: 'Lachlan' }, { ...base, given: 'Lachlq', nationalId: '' }, 'match', 'match'],
  ['given and family name swapped, with a typo', base, { ...base, given: 'Harringtom', family: 'Robert' }, 'match', 'match'],
  ['two keying errors in the national id, other given name', base, { ...base, given: 'Travis', nationalId: '9004422' }, 'possible', 'match'],
  ['twins with consecutively issued ids across a carry (…19 / …20)', { ...base, nationalId: '9004219' }, { ...base, given: 'Edward', nationalId: '9004220' }, 'non-match', 'possible'],
  [
    'strangers sharing only a first name, sex and town (no family name, DOB, id or phone in common)',
    { given: 'Katherine', family: 'Castellanos', sex: 'female', birthDate: '19871005', streetNumber: '5', addressLine: 'Hill Street', city: 'Sydney', state: 'nsw', postcode: '5000' },
    { given: 'Katherine', family: 'Johnston', sex: 'female', birthDate: '19800719', streetNumber: '12', addressLine: 'King Street', city: 'Sydney', state: 'nsw', postcode: '2000' },
    'non-match',
    'possible',
  ],
  [
    'strangers sharing a first name and town, no dates of birth recorded',
    { given: 'Katherine', family: 'Castellanos', sex: 'female', streetNumber: '5', addressLine: 'Hill Street', city: 'Sydney', state: 'nsw', postcode: '5000' },
    { given: 'Katherine', family: 'Johnston', sex: 'female', streetNumber: '12', addressLine: 'King Street', city: 'Sydney', state: 'nsw', postcode: '2000' },
    'non-match',
    'possible',
  ],
  ['DOB wrong in two digits, years apart but less than a generation', { ...base, nationalId: '' }, { ...base, birthDate: '19480409', nationalId: '' }, 'possible', 'match'],
  ['same given name, other family name, DOB a generation apart, elsewhere in the same city', { ...base, nationalId: '' }, { ...base, family: 'Herbert', birthDate: '19870409', streetNumber: '5', addressLine: 'Hill Street', addressLine2: '', postcode: '2000', nationalId: '' }, 'non-match', 'possible'],
  ['siblings: other given name and DOB a few years apart', { ...base, nationalId: '' }, { ...base, given: 'Edward', birthDate: '19590217', nationalId: '' }, 'non-match', 'non-match'],
  ['unrelated people', base, { given: 'Alice', family: 'Nguyen', birthDate: '19840307', streetNumber: '12', addressLine: 'Wallaby Place', city: 'Cleveland', postcode: '4163', state: 'qld' }, 'non-match', 'non-match'],
];

describe.each(['phi', 'token'] as const)('%s mode', (mode) => {
  test.each(cases)('%s', (_name, a, b, lo, hi) => {
    const s = score(a, b, mode);
    expect(rank[s.outcome], `outcome ${s.outcome} score ${s.score} rules ${s.rules.join(',')}`).toBeGreaterThanOrEqual(rank[lo]);
    expect(rank[s.outcome], `outcome ${s.outcome} score ${s.score} rules ${s.rules.join(',')}`).toBeLessThanOrEqual(rank[hi]);
    // Scoring is symmetric.
    expect(score(b, a, mode).outcome).toBe(s.outcome);
  });
});

test('grades follow the FHIR match-grade value set', () => {
  expect(score(base, { ...base }, 'phi').grade).toBe('certain');
  expect(score({ ...base, suffix: 'ii' }, { ...base, suffix: 'iii' }, 'phi').grade).toBe('certainly-not');
  expect(score(base, { ...base, suffix: 'jr' }, 'phi').outcome).toBe('match'); // a suffix on one side only is no conflict
  expect(score({ ...base, suffix: 'sr' }, { ...base, suffix: 'jr' }, 'phi').rules).toContain('suffix-conflict');
});

describe('which hard rule fires (PHI mode)', () => {
  const rules = (a: PersonPhi, b: PersonPhi) => score(a, b, 'phi').rules;
  test('father and son without suffixes (same name, a generation apart) are capped by dob-conflict', () => {
    expect(rules({ ...base, birthDate: '19300101', nationalId: '' }, { ...base, nationalId: '' })).toContain('dob-conflict');
  });
  test('a DOB error of less than a generation is left to the weights', () => {
    expect(rules({ ...base, nationalId: '' }, { ...base, birthDate: '19480409', nationalId: '' })).not.toContain('dob-conflict');
  });
  test('a DOB a generation apart is capped even when the family name differs too', () => {
    expect(rules({ ...base, nationalId: '' }, { ...base, family: 'Herbert', birthDate: '19870409', nationalId: '' })).toContain('dob-conflict');
  });
  test('a given-name typo is not a twin; a different name is', () => {
    expect(rules({ ...base, given: 'Lachlan' }, { ...base, given: 'Lachlq', nationalId: '' })).toEqual([]);
    expect(rules(base, { ...base, given: 'Edward', nationalId: '' })).toEqual(['given-conflict']);
  });
  test('ids two keying errors apart lift the twin cap; consecutive ids do not', () => {
    expect(rules(base, { ...base, given: 'Travis', nationalId: '9004422' })).toEqual([]);
    expect(rules({ ...base, nationalId: '9004219' }, { ...base, given: 'Edward', nationalId: '9004220' })).toEqual(['given-conflict']);
  });
  test('siblings (other given name, DOB years apart) are cannot-link', () => {
    expect(rules({ ...base, nationalId: '' }, { ...base, given: 'Edward', birthDate: '19590217', nationalId: '' })).toContain('given-and-dob-conflict');
  });
});
