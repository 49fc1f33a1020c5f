import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Bundle, OperationOutcome, Patient } from 'fhir/r4';
import type { Database } from '../../src/storage/create-database';
import { ResourceStore } from '../../src/storage/resource-store';
import { createSearchEngine, type SearchEngine } from '../../src/fhir/search';
import { FhirError } from '../../src/shared/fhir-error';
import { createTestDatabase } from '../helpers/test-database';
import { FIXTURES } from './fixtures';

const BASE = 'http://localhost:8080/fhir';
let db: Database;
let engine: SearchEngine;
let store: ResourceStore;
let clock = Date.parse('2024-01-01T00:00:00Z');
const tick = () => new Date((clock += 1000));

beforeAll(async () => {
  db = await createTestDatabase();
  engine = createSearchEngine();
  store = new ResourceStore(db.knex, engine.indexer);
  for (const r of FIXTURES) await store.update(undefined, r, { now: tick() });
  await store.delete(undefined, 'Patient', 'pdel', tick());
  await store.delete(undefined, 'Organization', 'o2', tick());
  // a later version of p1: the versioned reference of obs4 must still include version 1
  const p1: Patient = { ...(FIXTURES.find((r) => r.id === 'p1') as Patient), active: false };
  await store.update(undefined, p1, { now: tick() });
  for (let i = 0; i < 25; i++) {
    await store.update(undefined, { resourceType: 'Patient', id: `bulk${String(i).padStart(2, '0')}`, name: [{ family: `Bulk${i % 5}` }], birthDate: `19${50 + (i % 7)}-01-01` } as Patient, { now: tick() });
  }
});
afterAll(async () => {
  await db?.close();
});

const q = (query: string) => [...new URLSearchParams(query)] as Array<[string, string]>;
const search = (type: string | undefined, query: string, strict = false) => engine.search(db.knex, { resourceType: type, params: q(query), baseUrl: BASE, strict });
const matchIds = (b: Bundle) => (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id!);
const linkOf = (b: Bundle, rel: string) => b.link?.find((l) => l.relation === rel)?.url;
const followQuery = (url: string) => new URL(url).search.slice(1);

async function expect400(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(FhirError);
  expect((err as FhirError).status).toBe(400);
  expect((err as FhirError).message).toMatch(pattern);
}

describe('paging with keyset cursors', () => {
  test('next links walk every match exactly once, previous goes back', async () => {
    const first = await search('Patient', 'name=bulk&_count=10');
    expect(matchIds(first)).toHaveLength(10);
    expect(linkOf(first, 'previous')).toBeUndefined();
    const seen = [...matchIds(first)];
    let page = first;
    const pages: Bundle[] = [first];
    while (linkOf(page, 'next')) {
      page = await search('Patient', followQuery(linkOf(page, 'next')!));
      pages.push(page);
      seen.push(...matchIds(page));
    }
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect(pages).toHaveLength(3);
    const back = await search('Patient', followQuery(linkOf(pages[2], 'previous')!));
    expect(matchIds(back)).toEqual(matchIds(pages[1]));
    const back2 = await search('Patient', followQuery(linkOf(back, 'previous')!));
    expect(matchIds(back2)).toEqual(matchIds(pages[0]));
  });

  test('inserts between pages neither repeat nor skip earlier rows', async () => {
    const first = await search('Patient', 'name=bulk1&_count=3');
    expect(matchIds(first)).toEqual(['bulk01', 'bulk06', 'bulk11']);
    await store.update(undefined, { resourceType: 'Patient', id: 'bulk99', name: [{ family: 'Bulk1' }] } as Patient, { now: tick() });
    const second = await search('Patient', followQuery(linkOf(first, 'next')!));
    expect(matchIds(second)).toEqual(['bulk16', 'bulk21', 'bulk99']);
    await store.delete(undefined, 'Patient', 'bulk99', tick());
  });

  test('self link shows only applied parameters; a tampered cursor is a 400', async () => {
    const b = await search('Patient', 'name=bulk&bogus=1&_count=5');
    expect(linkOf(b, 'self')).toBe(`${BASE}/Patient?name=bulk&_count=5`);
    await expect400(search('Patient', 'name=bulk&_cursor=abc'), /_cursor/);
  });

  test('sort with several keys and descending order pages consistently', async () => {
    const all = await search('Patient', 'name=bulk&_sort=-birthdate,family&_count=100');
    const ids = matchIds(all);
    expect(ids).toHaveLength(25);
    const births = (all.entry ?? []).map((e) => (e.resource as Patient).birthDate!);
    expect([...births].sort().reverse()).toEqual(births);
    const paged: string[] = [];
    let page = await search('Patient', 'name=bulk&_sort=-birthdate,family&_count=4');
    paged.push(...matchIds(page));
    while (linkOf(page, 'next')) {
      page = await search('Patient', followQuery(linkOf(page, 'next')!));
      paged.push(...matchIds(page));
    }
    expect(paged).toEqual(ids);
  });

  test('resources missing the sort value come last, in both directions', async () => {
    const asc = matchIds(await search('Patient', '_id=p1,p2,p3&_sort=birthdate'));
    expect(asc).toEqual(['p1', 'p2', 'p3']);
    const desc = matchIds(await search('Patient', '_id=p1,p2,p3&_sort=-birthdate'));
    expect(desc).toEqual(['p2', 'p1', 'p3']);
    const byId = matchIds(await search('Patient', '_id=p1,p2,p3&_sort=-_id'));
    expect(byId).toEqual(['p3', 'p2', 'p1']);
    const paged = await search('Patient', '_id=p1,p2,p3&_sort=birthdate&_count=2');
    const next = await search('Patient', followQuery(linkOf(paged, 'next')!));
    expect(matchIds(next)).toEqual(['p3']);
  });
});

describe('totals and summaries', () => {
  test.each([
    ['name=bulk&_count=5', undefined],
    ['name=bulk&_count=50', 25],
    ['name=bulk&_count=5&_total=accurate', 25],
    ['name=bulk&_count=50&_total=none', undefined],
  ])('%s → total %s', async (query, total) => {
    expect((await search('Patient', query)).total).toBe(total);
  });

  test('_total=estimate returns a number', async () => {
    const b = await search('Patient', 'name=bulk&_count=5&_total=estimate');
    expect(typeof b.total).toBe('number');
  });

  test('_summary=count returns only the total', async () => {
    const b = await search('Patient', 'name=bulk&_summary=count');
    expect(b.total).toBe(25);
    expect(b.entry).toBeUndefined();
  });

  test('_elements and _summary subset and tag SUBSETTED', async () => {
    const b = await search('Patient', '_id=p1&_elements=gender');
    const p = b.entry![0].resource as Patient;
    expect(p.gender).toBe('male');
    expect(p.name).toBeUndefined();
    expect(p.meta?.tag?.some((t) => t.code === 'SUBSETTED')).toBe(true);
    const s = (await search('Patient', '_id=p1&_summary=true')).entry![0].resource as Patient;
    expect(s.name).toBeDefined();
    expect(s.text).toBeUndefined();
    const d = (await search('Patient', '_id=p1&_summary=data')).entry![0].resource as Patient;
    expect(d.text).toBeUndefined();
    expect(d.identifier).toBeDefined();
    const t = (await search('Patient', '_id=p1&_summary=text')).entry![0].resource as Patient;
    expect(t.text).toBeDefined();
    expect(t.name).toBeUndefined();
  });
});

describe('_include and _revinclude', () => {
  const included = (b: Bundle) => (b.entry ?? []).filter((e) => e.search?.mode === 'include').map((e) => `${e.resource!.resourceType}/${e.resource!.id}`).sort();

  test('include follows a reference; fullUrl and modes are set', async () => {
    const b = await search('Observation', '_id=obs1&_include=Observation:subject');
    expect(included(b)).toEqual(['Patient/p1']);
    expect(b.entry![0].fullUrl).toBe(`${BASE}/Observation/obs1`);
  });

  test('include of a versioned reference returns that version', async () => {
    const b = await search('Observation', '_id=obs4&_include=Observation:subject');
    const p = b.entry!.find((e) => e.search?.mode === 'include')!.resource as Patient;
    expect(p.meta?.versionId).toBe('1');
    expect(p.active).toBe(true);
  });

  test('include of a deleted target returns nothing', async () => {
    expect(included(await search('Observation', '_id=obs5&_include=Observation:subject'))).toEqual([]);
  });

  test('wildcard and target type', async () => {
    expect(included(await search('Observation', '_id=obs1&_include=Observation:*'))).toEqual(['Patient/p1', 'Practitioner/dr1']);
    expect(included(await search('Observation', '_id=obs1&_include=Observation:performer:Practitioner'))).toEqual(['Practitioner/dr1']);
  });

  test('revinclude and iterate', async () => {
    expect(included(await search('Patient', '_id=p2&_revinclude=Observation:subject'))).toEqual(['Observation/obs2']);
    const b = await search('Patient', '_id=p2&_revinclude=Observation:subject&_revinclude:iterate=DiagnosticReport:result');
    expect(included(b)).toEqual(['DiagnosticReport/rep1', 'Observation/obs2']);
    const c = await search('Observation', '_id=obs1&_include=Observation:subject&_include:iterate=Patient:organization');
    expect(included(c)).toEqual(['Organization/o1', 'Patient/p1']);
  });
});

describe('errors and lenient handling', () => {
  test('unknown parameters are ignored and reported in an outcome entry', async () => {
    const b = await search('Patient', 'gender=male&nonsense=1');
    expect(matchIds(b)).toEqual(['p1']);
    const oo = b.entry!.find((e) => e.search?.mode === 'outcome')!.resource as OperationOutcome;
    expect(oo.issue[0].diagnostics).toMatch(/nonsense/);
    expect(linkOf(b, 'self')).toBe(`${BASE}/Patient?gender=male`);
  });

  test('strict handling rejects unknown parameters', async () => {
    await expect400(search('Patient', 'gender=male&nonsense=1', true), /nonsense/);
  });

  test.each([
    ['birthdate=1974-13', /not a valid date/],
    ['birthdate=xx1974', /not a valid date/],
    ['name:foo=x', /Unknown modifier/],
    ['gender.name=x', /cannot chain/],
    ['organization.nonsense=x', /no target type/],
    ['_count=abc', /_count/],
    ['_sort=nonsense', /_sort/],
    ['_include=Patient:name', /not a reference parameter/],
    ['birthdate:missing=maybe', /:missing/],
    ['identifier:of-type=abc', /of-type/],
    ['gender:in=http://example.org/unknown-vs', /not known/],
    ['_has:Observation:code:status=final', /not a reference parameter/],
    ['organization:Patient=x', /not a target type/],
    ['gender:below=http://example.org/unknown|x', /not in a code system bundled/],
    ['gender:above=male', /expects system\|code/],
  ])('Patient?%s → 400', async (query, pattern) => {
    await expect400(search('Patient', query), pattern);
  });

  test('RiskAssessment number and Location near malformed values are 400s', async () => {
    await expect400(search('RiskAssessment', 'probability=abc'), /not a valid number/);
    await expect400(search('Location', 'near=abc'), /latitude/);
  });
});

describe('findIds (conditional operations)', () => {
  test.each([
    ['identifier=urn:oid:1.2.36.146.595.217.0.1|12345', ['p1']],
    ['family=smith&gender=other', ['p3']],
    ['name=bulk1&birthdate=1951', ['bulk01']],
    ['_id=pdel', []],
  ])('%s', async (criteria, expected) => {
    expect(await engine.findIds(db.knex, 'Patient', criteria, 10)).toEqual(expected);
  });

  test('unknown parameters are always an error', async () => {
    await expect400(engine.findIds(db.knex, 'Patient', 'nonsense=1', 2), /Unknown search parameter/);
    await expect400(engine.findIds(db.knex, 'Patient', '_count=1', 2), /not a search criterion/);
  });
});

describe('compartments, system search, $everything', () => {
  test('Patient/p1/Observation', async () => {
    const b = await engine.search(db.knex, { resourceType: 'Observation', compartment: { type: 'Patient', id: 'p1' }, params: [], baseUrl: BASE, strict: false });
    expect(matchIds(b).sort()).toEqual(['obs1', 'obs3', 'obs4']);
    expect(linkOf(b, 'self')).toBe(`${BASE}/Patient/p1/Observation`);
  });

  test('Patient/p1/* with criteria narrowing by type', async () => {
    const b = await engine.search(db.knex, { compartment: { type: 'Patient', id: 'p1' }, params: q('_type=Immunization,Encounter'), baseUrl: BASE, strict: false });
    expect(matchIds(b).sort()).toEqual(['e1', 'i1']);
  });

  test('system search with _type and a common parameter', async () => {
    const b = await search(undefined, '_type=Patient,Organization&_id=p1,o1');
    expect((b.entry ?? []).map((e) => `${e.resource!.resourceType}/${e.resource!.id}`).sort()).toEqual(['Organization/o1', 'Patient/p1']);
    const paged = await search(undefined, '_type=Patient,Organization&_id=p1,o1&_count=1');
    const next = await search(undefined, followQuery(linkOf(paged, 'next')!));
    expect([...matchIds(paged), ...matchIds(next)].sort()).toEqual(['o1', 'p1']);
  });

  test('system search without _type covers every type', async () => {
    const b = await search(undefined, '_id=p1,o1&_lastUpdated=ge2024-01-01');
    expect((b.entry ?? []).map((e) => `${e.resource!.resourceType}/${e.resource!.id}`).sort()).toEqual(['Organization/o1', 'Patient/p1']);
  });

  test('$everything returns the patient and its compartment, pages, honours _type and _since', async () => {
    const all = await engine.everything(db.knex, { patientId: 'p1', params: [], baseUrl: BASE });
    const keys = (b: Bundle) => (b.entry ?? []).map((e) => `${e.resource!.resourceType}/${e.resource!.id}`).sort();
    expect(keys(all)).toEqual(['Encounter/e1', 'Immunization/i1', 'Observation/obs1', 'Observation/obs3', 'Observation/obs4', 'Patient/p1', 'RiskAssessment/ra1']);
    const typed = await engine.everything(db.knex, { patientId: 'p1', params: [['_type', 'Immunization']], baseUrl: BASE });
    expect(keys(typed)).toEqual(['Immunization/i1']);
    const since = await engine.everything(db.knex, { patientId: 'p1', params: [['_since', '2024-01-01T00:00:23Z']], baseUrl: BASE });
    expect(keys(since)).toEqual(['Patient/p1']);
    const page1 = await engine.everything(db.knex, { patientId: 'p1', params: [['_count', '4']], baseUrl: BASE });
    const next = linkOf(page1, 'next')!;
    const page2 = await engine.everything(db.knex, { patientId: 'p1', params: q(followQuery(next)), baseUrl: BASE });
    expect([...keys(page1), ...keys(page2)].sort()).toEqual(keys(all));
  });
});
