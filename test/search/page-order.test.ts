import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Bundle, Observation, Patient } from 'fhir/r4';
import type { Database } from '../../src/storage/create-database';
import { ResourceStore } from '../../src/storage/resource-store';
import { createSearchEngine, type SearchEngine } from '../../src/fhir/search';
import { createTestDatabase } from '../helpers/test-database';

/**
 * Page order read from the index rows (migration 20261123-07: every sp_* row carries its resource's
 * last_updated) must give exactly the order of the resource table, through updates, deletes,
 * duplicate matching rows, ties and keyset paging in both directions; and references to another
 * server must never match local ones.
 */
const BASE = 'http://localhost:8080/fhir';
let db: Database;
let engine: SearchEngine;
let store: ResourceStore;
let clock = Date.parse('2024-01-01T00:00:00Z');
const tick = (ms = 1000) => new Date((clock += ms));
const LOINC = 'http://loinc.org';

/** id → last_updated (ms) of the current version, as the store wrote it. */
const updated = new Map<string, number>();

async function put(r: Observation | Patient, now: Date): Promise<void> {
  await store.update(undefined, r, { now });
  updated.set(`${r.resourceType}/${r.id}`, now.getTime());
}

function obs(i: number, code: string, status: string, extra: Partial<Observation> = {}): Observation {
  return {
    resourceType: 'Observation', id: `o${String(i).padStart(3, '0')}`, status: status as Observation['status'],
    code: { coding: [{ system: LOINC, code }] }, subject: { reference: `Patient/p${i % 4}` },
    effectiveDateTime: `2020-01-${String(1 + (i % 28)).padStart(2, '0')}`, ...extra,
  };
}

beforeAll(async () => {
  db = await createTestDatabase();
  engine = createSearchEngine();
  store = new ResourceStore(db.knex, engine.indexer);
  for (let p = 0; p < 4; p++) await put({ resourceType: 'Patient', id: `p${p}`, name: [{ family: p % 2 ? 'Odd' : 'Even' }] }, tick());
  // ids deliberately not in last_updated order; some share one timestamp (ties broken by id)
  const order = Array.from({ length: 60 }, (_, i) => (i * 37) % 60);
  let shared: Date | undefined;
  for (const [n, i] of order.entries()) {
    const now = n % 6 === 5 && shared ? shared : tick();
    shared = now;
    await put(obs(i, i % 3 === 0 ? '1234-5' : '9999-9', i % 2 ? 'final' : 'amended'), now);
  }
  // a code in two systems: two matching index rows for `code=1234-5`, one resource
  await put(obs(60, '1234-5', 'final', { code: { coding: [{ system: LOINC, code: '1234-5' }, { system: 'http://other.example/codes', code: '1234-5' }] } }), tick());
  // updates move resources to the end of the default order; a delete removes one
  for (const i of [3, 30, 12]) await put(obs(i, '1234-5', 'final', { valueString: 'updated' }), tick());
  await store.delete(undefined, 'Observation', 'o006', tick());
  updated.delete('Observation/o006');
  // date windows: short rows, long rows (a period, a year, an open end) and a multi-valued parameter
  await put({ resourceType: 'Observation', id: 'w-short', status: 'final', code: { coding: [{ system: LOINC, code: 'win' }] }, effectiveDateTime: '2022-02-03T10:00:00Z' }, tick());
  await put({ resourceType: 'Observation', id: 'w-day-before', status: 'final', code: { coding: [{ system: LOINC, code: 'win' }] }, effectiveDateTime: '2022-01-31' }, tick());
  await put({ resourceType: 'Observation', id: 'w-after', status: 'final', code: { coding: [{ system: LOINC, code: 'win' }] }, effectiveDateTime: '2022-02-10T00:00:00Z' }, tick());
  await put({ resourceType: 'Observation', id: 'w-period', status: 'final', code: { coding: [{ system: LOINC, code: 'win' }] }, effectivePeriod: { start: '2022-01-01', end: '2022-03-01' } }, tick());
  await put({ resourceType: 'Observation', id: 'w-year', status: 'final', code: { coding: [{ system: LOINC, code: 'win' }] }, effectiveDateTime: '2022' }, tick());
  await put({ resourceType: 'Observation', id: 'w-open', status: 'final', code: { coding: [{ system: LOINC, code: 'win' }] }, effectivePeriod: { start: '2021-12-01' } }, tick());
  await put({ resourceType: 'Observation', id: 'w-old', status: 'final', code: { coding: [{ system: LOINC, code: 'win' }] }, effectivePeriod: { start: '2020-01-01', end: '2020-02-01' } }, tick());
  // Goal.target.due: several values per resource (the sort key is the earliest / latest of them)
  const goal = (id: string, dues: string[]) => ({ resourceType: 'Goal', id, lifecycleStatus: 'active', description: { text: id }, subject: { reference: 'Patient/p1' }, target: dues.map((dueDate) => ({ dueDate })) });
  await store.update(undefined, goal('g-two', ['2020-06-01', '2019-01-01']) as never, { now: tick() });
  await store.update(undefined, goal('g-one', ['2020-03-01']) as never, { now: tick() });
  await store.update(undefined, goal('g-late', ['2020-02-01', '2020-12-01']) as never, { now: tick() });
  // references to this server (relative, absolute under BASE) and to another server
  await put({ resourceType: 'Observation', id: 'ref-rel', status: 'final', code: { coding: [{ system: LOINC, code: 'ref-1' }] }, subject: { reference: 'Patient/p1' } }, tick());
  await put({ resourceType: 'Observation', id: 'ref-own', status: 'final', code: { coding: [{ system: LOINC, code: 'ref-1' }] }, subject: { reference: `${BASE}/Patient/p1` } }, tick());
  await put({ resourceType: 'Observation', id: 'ref-other', status: 'final', code: { coding: [{ system: LOINC, code: 'ref-2' }] }, subject: { reference: 'http://other.example/fhir/Patient/p1' } }, tick());
});
afterAll(async () => {
  await db?.close();
});

const q = (query: string) => [...new URLSearchParams(query)] as Array<[string, string]>;
const search = (type: string, query: string, compartment?: { type: string; id: string }) =>
  engine.search(db.knex, { resourceType: type, params: q(query), baseUrl: BASE, strict: true, compartment });
const matchIds = (b: Bundle) => (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id!);
const includeIds = (b: Bundle) => (b.entry ?? []).filter((e) => e.search?.mode === 'include').map((e) => `${e.resource!.resourceType}/${e.resource!.id}`);
const linkOf = (b: Bundle, rel: string) => b.link?.find((l) => l.relation === rel)?.url;

/** The expected order: last_updated (asc or desc), then id ascending. */
function expected(ids: string[], desc = false): string[] {
  return [...ids].sort((a, b) => {
    const d = updated.get(`Observation/${a}`)! - updated.get(`Observation/${b}`)!;
    return (desc ? -d : d) || (a < b ? -1 : a > b ? 1 : 0);
  });
}

/** Every page of a search, following `next` links. */
async function allPages(type: string, query: string): Promise<{ ids: string[]; pages: Bundle[] }> {
  const pages: Bundle[] = [];
  let b = await search(type, query);
  pages.push(b);
  for (let next = linkOf(b, 'next'); next; next = linkOf(b, 'next')) {
    b = await search(type, new URL(next).search.slice(1));
    pages.push(b);
    expect(pages.length).toBeLessThan(50);
  }
  return { ids: pages.flatMap(matchIds), pages };
}

describe('page order from the index rows', () => {
  const live = () => [...updated.keys()].filter((k) => k.startsWith('Observation/o')).map((k) => k.slice(12));
  const withCode = () => live().filter((id) => Number(id.slice(1)) % 3 === 0 || ['o003', 'o030', 'o012', 'o060'].includes(id));
  const CASES: Array<[string, () => string[], boolean]> = [
    ['code=1234-5', withCode, false],
    [`code=${LOINC}|1234-5&_sort=-_lastUpdated`, withCode, true],
    ['code=1234-5&status=final', () => withCode().filter((id) => Number(id.slice(1)) % 2 === 1 || ['o030', 'o012', 'o060'].includes(id)), false],
    ['status=amended&_sort=_lastUpdated', () => live().filter((id) => Number(id.slice(1)) % 2 === 0 && !['o030', 'o012', 'o060'].includes(id)), false],
    ['subject=Patient/p2&date=ge2020-01-05', () => live().filter((id) => Number(id.slice(1)) % 4 === 2 && 1 + (Number(id.slice(1)) % 28) >= 5), false],
    ['_id=o001,o002,o003,o004,o005', () => ['o001', 'o002', 'o003', 'o004', 'o005'], false],
  ];
  test.each(CASES)('Observation?%s pages forward in (last_updated, id) order', async (query, want, desc) => {
    const { ids, pages } = await allPages('Observation', `${query}&_count=4`);
    expect(ids).toEqual(expected(want(), desc));
    expect(new Set(ids).size).toBe(ids.length);
    // and backwards from the last page gives the same pages
    let b = pages[pages.length - 1];
    const back: string[][] = [matchIds(b)];
    for (let prev = linkOf(b, 'previous'); prev; prev = linkOf(b, 'previous')) {
      b = await search('Observation', new URL(prev).search.slice(1));
      back.unshift(matchIds(b));
    }
    expect(back.flat()).toEqual(ids);
  });

  test('a resource with two matching rows of the driving criterion appears once', async () => {
    const ids = matchIds(await search('Observation', 'code=1234-5&_count=100'));
    expect(ids.filter((id) => id === 'o060')).toHaveLength(1);
  });
});

describe('date windows', () => {
  test('short rows by their start, long rows (period, year, open end) by overlap', async () => {
    const ids = (b: Bundle) => matchIds(b).sort();
    expect(ids(await search('Observation', 'code=win&date=ge2022-02-01&date=lt2022-02-08'))).toEqual(['w-open', 'w-period', 'w-short', 'w-year']);
    expect(ids(await search('Observation', 'code=win&date=2022-02'))).toEqual(['w-after', 'w-short']);
    expect(ids(await search('Observation', 'code=win&date=2022-01-31'))).toEqual(['w-day-before']);
    expect(ids(await search('Observation', 'code=win&date=ge2020-01-15&date=le2020-01-20'))).toEqual(['w-old']);
    expect(ids(await search('Observation', 'date=ge2022-02-10&date=lt2022-02-11'))).toEqual(['w-after', 'w-open', 'w-period', 'w-year']);
  });
  test('_sort on the window parameter orders by each resource\'s earliest / latest value, not the matching one', async () => {
    // earliest: g-two 2019-01-01, g-late 2020-02-01, g-one 2020-03-01; latest: g-late 2020-12-01, g-two 2020-06-01, g-one
    expect(matchIds(await search('Goal', 'target-date=ge2020-03-01&target-date=lt2020-07-01&_sort=target-date'))).toEqual(['g-two', 'g-one']);
    expect(matchIds(await search('Goal', 'target-date=ge2020-01-01&target-date=lt2021-01-01&_sort=target-date'))).toEqual(['g-two', 'g-late', 'g-one']);
    expect(matchIds(await search('Goal', 'target-date=ge2020-01-01&target-date=lt2021-01-01&_sort=-target-date'))).toEqual(['g-late', 'g-two', 'g-one']);
    const page = await search('Goal', 'target-date=ge2020-01-01&target-date=lt2021-01-01&_sort=target-date&_count=2');
    expect(matchIds(page)).toEqual(['g-two', 'g-late']);
    expect(matchIds(await search('Goal', new URL(linkOf(page, 'next')!).search.slice(1)))).toEqual(['g-one']);
  });
});

describe('references to another server', () => {
  test('a local reference matches relative and own-base absolute references only', async () => {
    expect(matchIds(await search('Observation', 'subject=Patient/p1&code=ref-1,ref-2')).sort()).toEqual(['ref-own', 'ref-rel']);
    expect(matchIds(await search('Observation', 'subject=p1&code=ref-1,ref-2')).sort()).toEqual(['ref-own', 'ref-rel']);
    expect(matchIds(await search('Observation', `subject=${BASE}/Patient/p1&code=ref-1,ref-2`)).sort()).toEqual(['ref-own', 'ref-rel']);
    expect(matchIds(await search('Observation', 'subject:Patient=p1&code=ref-1,ref-2')).sort()).toEqual(['ref-own', 'ref-rel']);
  });
  test('an absolute search value matches that server only', async () => {
    expect(matchIds(await search('Observation', 'subject=http://other.example/fhir/Patient/p1'))).toEqual(['ref-other']);
  });
  test('chains, _has, compartments and _include do not follow them', async () => {
    expect(matchIds(await search('Observation', 'subject:Patient.name=odd&code=ref-1,ref-2')).sort()).toEqual(['ref-own', 'ref-rel']);
    expect(matchIds(await search('Patient', '_has:Observation:subject:code=ref-2'))).toEqual([]);
    expect(matchIds(await search('Patient', '_has:Observation:subject:code=ref-1'))).toEqual(['p1']);
    expect(matchIds(await search('Observation', 'code=ref-1,ref-2', { type: 'Patient', id: 'p1' })).sort()).toEqual(['ref-own', 'ref-rel']);
    expect(includeIds(await search('Observation', 'code=ref-2&_include=Observation:subject'))).toEqual([]);
    expect(includeIds(await search('Observation', 'code=ref-1&_include=Observation:subject'))).toEqual(['Patient/p1']);
  });
});
