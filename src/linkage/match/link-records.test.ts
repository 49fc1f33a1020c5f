import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { evaluatePairs, truePairs } from '../eval/metrics';
import { febrlToPersons, parseCsv } from '../io/febrl-csv';
import { siteTokensToCsv, tokensFromCsv } from '../io/token-csv';
import { masterKeyFromSecret } from '../keys';
import { prepareSource } from '../prepare';
import { toSiteTokens } from '../tokens/site-tokens';
import { blockingKeys } from './blocking';
import { linkRecords, type LinkResult } from './link-records';
import { defaultModel } from './model';

const KEY = masterKeyFromSecret('link-records-test-secret-0123456789');
const fixture = (name: string) => febrlToPersons(parseCsv(readFileSync(new URL(`../../../test/fixtures/linkage/${name}`, import.meta.url), 'utf8')));
const pairSet = (r: LinkResult) => r.pairs.map((p) => `${p.left}|${p.right}`).sort();

describe('linkRecords on a FEBRL sample', () => {
  const { ids, persons } = fixture('febrl1-sample.csv');
  const src = prepareSource(ids, persons, KEY);
  const truth = truePairs(ids);

  test.each(['phi', 'token'] as const)('%s mode deduplicates with high precision and recall', (mode) => {
    const r = linkRecords(src, undefined, { mode });
    const m = evaluatePairs(r.pairs.map((p) => [p.left, p.right]), truth);
    expect(m.precision).toBeGreaterThanOrEqual(0.99);
    expect(m.recall).toBeGreaterThanOrEqual(0.97);
  });

  test('token-only linkage from site token files equals linkage of PHI-derived tokens, and of PHI itself', () => {
    // Two clinics each hold half of the records and send site tokens only.
    const half = Math.floor(ids.length / 2);
    const siteFile = (from: number, to: number, site: string) =>
      parseCsv(siteTokensToCsv(ids.slice(from, to), src.tokens.slice(from, to).map((t) => toSiteTokens(t, KEY, site))));
    const a = tokensFromCsv(siteFile(0, half, 'clinic-a'), KEY);
    const b = tokensFromCsv(siteFile(half, ids.length, 'clinic-b'), KEY);
    const viaSites = linkRecords({ ids: [...a.ids, ...b.ids], tokens: [...a.tokens, ...b.tokens] }, undefined, { mode: 'token', model: defaultModel('token') });
    const direct = linkRecords(src, undefined, { mode: 'token', model: defaultModel('token') });
    const phi = linkRecords(src, undefined, { mode: 'phi', model: defaultModel('phi') });
    expect(pairSet(viaSites)).toEqual(pairSet(direct));
    expect(pairSet(direct)).toEqual(pairSet(phi));
    expect(viaSites.pairs.length).toBeGreaterThan(100);
  });

  test('two files link across, clustering or one-to-one', () => {
    const orgIdx = ids.map((id, i) => (id.endsWith('-org') ? i : -1)).filter((i) => i >= 0);
    const dupIdx = ids.map((id, i) => (id.includes('-dup-') ? i : -1)).filter((i) => i >= 0);
    const pick = (idx: number[]) => ({ ids: idx.map((i) => ids[i]!), tokens: idx.map((i) => src.tokens[i]!), persons: idx.map((i) => src.persons[i]!) });
    const A = pick(orgIdx);
    const B = pick(dupIdx);
    const t2 = truePairs(A.ids, B.ids);
    for (const resolution of ['cluster', 'one-to-one'] as const) {
      const r = linkRecords(A, B, { mode: 'phi', resolution });
      for (const p of r.pairs) {
        expect(p.left.endsWith('-org')).toBe(true);
        expect(p.right).toContain('-dup-');
      }
      const m = evaluatePairs(r.pairs.map((p) => [p.left, p.right]), t2);
      expect(m.f1).toBeGreaterThan(0.97);
      if (resolution === 'one-to-one') {
        expect(new Set(r.pairs.map((p) => p.left)).size).toBe(r.pairs.length);
        expect(new Set(r.pairs.map((p) => p.right)).size).toBe(r.pairs.length);
      }
    }
  });

  test('blocking keys hold no PHI and let a typo-ridden record meet its original', () => {
    const k = blockingKeys(src.tokens[0]!);
    expect(k.join(' ').toLowerCase()).not.toContain(src.persons[0]!.family);
    expect(k.some((x) => x.startsWith('ln'))).toBe(true);
  });
});

test('a record with given and family name swapped and a typo links to its original; twins at the same address do not', () => {
  const p = { given: 'Sophie', family: 'Snell', birthDate: '19231114', streetNumber: '4', addressLine: 'Vaughan Gardens', city: 'Hahndorf', postcode: '2372', state: 'tas', nationalId: '8638391' };
  const src = prepareSource(['org', 'swapped', 'twin'], [p, { ...p, given: 'Snell', family: 'Sophy', nationalId: '' }, { ...p, given: 'Edward', nationalId: '8638392' }], KEY);
  const r = linkRecords(src, undefined, { mode: 'phi', model: defaultModel('phi') });
  expect(pairSet(r)).toEqual(['org|swapped']);
});

describe('clustering stays consistent', () => {
  test('a Jr/Sr pair is never put in one cluster through a third record', () => {
    const base = { given: 'John', family: 'Carter', birthDate: '19600101', streetNumber: '4', addressLine: 'Oak Street', city: 'Perth', postcode: '6000', state: 'wa' };
    const { ids, persons } = {
      ids: ['sr', 'jr', 'plain'],
      persons: [{ ...base, suffix: 'Sr' }, { ...base, suffix: 'Jr' }, { ...base }],
    };
    const src = prepareSource(ids, persons, KEY);
    const r = linkRecords(src, undefined, { mode: 'phi', model: defaultModel('phi') });
    const joined = pairSet(r);
    expect(joined).not.toContain('sr|jr');
    expect(joined).not.toContain('jr|sr');
    expect(joined.length).toBe(1);
  });
});
