import { describe, expect, test } from 'vitest';
import { masterKeyFromSecret } from '../keys';
import { normalizePerson } from '../normalize/normalize-person';
import type { PersonPhi } from '../person';
import { defaultModel } from '../match/model';
import { scorePair } from '../match/score-pair';
import { diceBloom, bloomFromString } from './bloom';
import { computeTokens } from './compute-tokens';
import { fromSiteTokens, rotateSiteTokens, toSiteTokens } from './site-tokens';

const KEY = masterKeyFromSecret('test-master-secret-0123456789abcdef');
const OTHER = masterKeyFromSecret('another-master-secret-0123456789ab');

const alice: PersonPhi = {
  given: 'Alice', family: 'Nguyen', sex: 'female', birthDate: '1984-03-07', streetNumber: '12', addressLine: 'Wallaby Place',
  city: 'Cleveland', state: 'QLD', postcode: '4163', phone: '0412 345 678', nationalId: '1804974',
};

const tokensOf = (p: PersonPhi, key = KEY) => computeTokens(normalizePerson(p), key);

describe('computeTokens', () => {
  test('is deterministic and carries no PHI', () => {
    const t = tokensOf(alice);
    expect(tokensOf(alice)).toEqual(t);
    const json = JSON.stringify(t).toLowerCase();
    for (const v of ['alice', 'nguyen', 'wallaby', 'cleveland', '4163', '1984', '19840307', '1804974', '412345678', 'female']) expect(json).not.toContain(v);
  });

  test('emits the documented exact tokens, with transposed-DOB variants that meet the other ordering', () => {
    const t = tokensOf(alice);
    for (const name of ['lfi_sex_dob', 'ph_sex_dob', 'lf_dob_pc3', 'nid_dob', 'nid', 'dob']) expect(t.exact).toHaveProperty(name);
    const swapped = tokensOf({ ...alice, birthDate: '1984-07-03' });
    expect(swapped.exact.lf_dob_pc3).not.toBe(t.exact.lf_dob_pc3);
    expect(swapped.exact.lf_dob_pc3).toBe(t.alt.lf_dob_pc3);
  });

  test('a missing component suppresses the tokens that need it', () => {
    const t = tokensOf({ ...alice, nationalId: '' });
    expect(t.exact.nid).toBeUndefined();
    expect(t.exact.nid_dob).toBeUndefined();
    expect(t.exact.lf_dob_pc3).toBeDefined();
  });

  test('Bloom encodings preserve similarity and differ under another key', () => {
    const a = tokensOf(alice);
    const typo = tokensOf({ ...alice, family: 'Nguyem' });
    const other = tokensOf({ ...alice, family: 'Papadopoulos' });
    const d = (x: string | undefined, y: string | undefined) => diceBloom(bloomFromString(x ?? ''), bloomFromString(y ?? ''));
    expect(d(a.bloom.family, typo.bloom.family)).toBeGreaterThan(0.6);
    expect(d(a.bloom.family, other.bloom.family)).toBeLessThan(0.4);
    const b = tokensOf(alice, OTHER);
    expect(b.bloom.family).not.toBe(a.bloom.family);
    expect(d(a.bloom.family, b.bloom.family)).toBeLessThan(0.6);
    expect(Object.values(b.exact).some((x) => Object.values(a.exact).includes(x))).toBe(false);
  });
});

describe('site tokens', () => {
  test('two sites get unrelated ciphertexts that both open to the same master tokens', () => {
    const t = tokensOf(alice);
    const a = toSiteTokens(t, KEY, 'clinic-a');
    const b = toSiteTokens(t, KEY, 'clinic-b');
    expect(a.sealed).not.toBe(b.sealed);
    // Sealing is randomised: even one site cannot compare its own records by token equality.
    expect(toSiteTokens(t, KEY, 'clinic-a').sealed).not.toBe(a.sealed);
    expect(fromSiteTokens(a, KEY)).toEqual(t);
    expect(fromSiteTokens(b, KEY)).toEqual(t);
  });

  test('cannot be opened as another site, or under another master key', () => {
    const a = toSiteTokens(tokensOf(alice), KEY, 'clinic-a');
    expect(() => fromSiteTokens({ ...a, site: 'clinic-b' }, KEY)).toThrow(/do not open/);
    expect(() => fromSiteTokens(a, OTHER)).toThrow(/do not open/);
  });

  test('records of two sites link through the master key', () => {
    const a = fromSiteTokens(toSiteTokens(tokensOf(alice), KEY, 'clinic-a'), KEY);
    const b = fromSiteTokens(toSiteTokens(tokensOf({ ...alice, given: 'Alicia', phone: '' }), KEY, 'clinic-b'), KEY);
    expect(scorePair(a, b, defaultModel('token')).outcome).toBe('match');
  });
});

describe('key rotation', () => {
  test('rotating a site key: old and new site tokens are unlinkable, master-space matching is unchanged', () => {
    const t = tokensOf(alice);
    const v1 = toSiteTokens(t, KEY, 'clinic-a', 1);
    const v2 = rotateSiteTokens(v1, KEY, 2);
    expect(v2.keyVersion).toBe(2);
    expect(v2.sealed).not.toBe(v1.sealed);
    expect(() => fromSiteTokens({ ...v1, keyVersion: 2 }, KEY)).toThrow();
    expect(() => fromSiteTokens({ ...v2, keyVersion: 1 }, KEY)).toThrow();
    expect(fromSiteTokens(v2, KEY)).toEqual(fromSiteTokens(v1, KEY));
  });

  test('rotating the master key: re-tokenised records share no token with the old ones yet link the same way', () => {
    const model = defaultModel('token');
    const x = { ...alice, family: 'Nguyne', birthDate: '1984-07-03' };
    const old = [tokensOf(alice), tokensOf(x)];
    const rotated = [tokensOf(alice, OTHER), tokensOf(x, OTHER)];
    const oldValues = new Set(old.flatMap((t) => [...Object.values(t.exact), ...Object.values(t.alt), ...t.canon]));
    for (const t of rotated) for (const v of [...Object.values(t.exact), ...Object.values(t.alt), ...t.canon]) expect(oldValues.has(v)).toBe(false);
    expect(scorePair(rotated[0]!, rotated[1]!, model).outcome).toBe(scorePair(old[0]!, old[1]!, model).outcome);
    expect(scorePair(rotated[0]!, rotated[1]!, model).outcome).toBe('match');
  });
});
