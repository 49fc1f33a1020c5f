import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Observation, Patient } from 'fhir/r4';
import type { Database } from '../../src/storage/create-database';
import { ResourceStore } from '../../src/storage/resource-store';
import { createSearchEngine } from '../../src/fhir/search';
import * as m07 from '../../src/storage/migrations/20261123-07-search-page-order';
import { createTestDatabase } from '../helpers/test-database';

/** Migration 07 on a database that already has index rows: backfill, orphan cleanup, down and up again. */
let db: Database;
const engine = createSearchEngine();

beforeAll(async () => {
  db = await createTestDatabase();
  const store = new ResourceStore(db.knex, engine.indexer);
  await store.update(undefined, { resourceType: 'Patient', id: 'm1', name: [{ family: 'Backfill' }], birthDate: '1970-05-01' } as Patient, { now: new Date('2024-02-01T00:00:00Z') });
  await store.update(undefined, { resourceType: 'Goal', id: 'g1', lifecycleStatus: 'active', description: { text: 'g' }, subject: { reference: 'Patient/m1' }, target: [{ dueDate: '2021-06-01' }, { dueDate: '2020-01-01' }] } as never, { now: new Date('2024-02-02T00:00:00Z') });
  await store.update(undefined, { resourceType: 'Observation', id: 'm2', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/m1' }, effectivePeriod: { start: '2020-01-01' } } as Observation, { now: new Date('2024-02-03T00:00:00Z') });
  await m07.down(db.knex);
  // an index row whose resource is gone (not written by the store, but possible in old data)
  await db.knex.raw(`INSERT INTO sp_token (resource_type, resource_id, param, code) VALUES ('Patient', 'gone', 'gender', 'male')`);
  await m07.up(db.knex);
});
afterAll(async () => {
  await db?.close();
});

test('every index row gets its resource last_updated; orphans are removed', async () => {
  for (const table of ['sp_string', 'sp_token', 'sp_date', 'sp_reference']) {
    const { rows } = (await db.knex.raw(`SELECT s.resource_type, s.resource_id, s.last_updated = r.last_updated AS same FROM ${table} s
      LEFT JOIN (SELECT 'Patient' AS t, id, last_updated FROM "Patient" UNION ALL SELECT 'Goal', id, last_updated FROM "Goal" UNION ALL SELECT 'Observation', id, last_updated FROM "Observation") r
      ON r.t = s.resource_type AND r.id = s.resource_id`)) as { rows: Array<{ resource_id: string; same: boolean | null }> };
    expect(rows.length, table).toBeGreaterThan(0);
    expect(rows.filter((r) => r.same !== true), table).toEqual([]);
  }
});

test('date rows get the sort keys of their parameter and long_span', async () => {
  const { rows } = (await db.knex.raw(`SELECT resource_id, param, sort_low, sort_high, long_span FROM sp_date WHERE resource_id IN ('g1', 'm2', 'm1') ORDER BY resource_id, low`)) as {
    rows: Array<{ resource_id: string; param: string; sort_low: Date; sort_high: Date; long_span: boolean }>;
  };
  const goal = rows.filter((r) => r.resource_id === 'g1' && r.param === 'target-date');
  expect(goal).toHaveLength(2);
  for (const r of goal) {
    expect(r.sort_low.toISOString()).toBe('2020-01-01T00:00:00.000Z');
    expect(r.sort_high.toISOString()).toBe('2021-06-02T00:00:00.000Z');
    expect(r.long_span).toBe(false);
  }
  expect(rows.find((r) => r.resource_id === 'm2' && r.param === 'date')?.long_span).toBe(true);
  expect(rows.find((r) => r.resource_id === 'm1' && r.param === 'birthdate')?.long_span).toBe(false);
});

test('rows written by the indexer after the migration are the same as the backfilled ones', async () => {
  const before = (await db.knex.raw(`SELECT param, low, high, sort_low, sort_high, long_span, last_updated FROM sp_date WHERE resource_id = 'g1' ORDER BY param, low`)).rows;
  const store = new ResourceStore(db.knex, engine.indexer);
  const current = await store.read(undefined, 'Goal', 'g1');
  // rewrite the same version's index rows through the indexer (an update with new content would change last_updated)
  await db.knex.raw(`DELETE FROM sp_date WHERE resource_id = 'g1'`);
  const rows = engine.indexer.extract(current!.content!).sp_date.map((r) => ({ ...r, resource_type: 'Goal', resource_id: 'g1' }));
  await db.knex.raw(`INSERT INTO sp_date SELECT * FROM jsonb_populate_recordset(NULL::sp_date, ?::jsonb)`, [JSON.stringify(rows)]);
  const after = (await db.knex.raw(`SELECT param, low, high, sort_low, sort_high, long_span, last_updated FROM sp_date WHERE resource_id = 'g1' ORDER BY param, low`)).rows;
  expect(after).toEqual(before);
});

test('searches work after down and up', async () => {
  const b = await engine.search(db.knex, { resourceType: 'Goal', params: [['target-date', 'ge2020-01-01'], ['target-date', 'lt2020-02-01'], ['_sort', 'target-date']], baseUrl: 'http://x/fhir', strict: true });
  expect(b.entry?.map((e) => e.resource?.id)).toEqual(['g1']);
  const p = await engine.search(db.knex, { resourceType: 'Patient', params: [['family', 'backf']], baseUrl: 'http://x/fhir', strict: true });
  expect(p.entry?.map((e) => e.resource?.id)).toEqual(['m1']);
});
