import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase } from '../helpers/test-database';
import type { Database } from '../../src/storage/create-database';
import * as countTree from '../../src/storage/migrations/20261123-08-count-tree';
import { ImmunizationTracker, type StateCounts } from '../../src/immunization/tracking';
import { applyCountRows } from '../../src/immunization/tracking/immunization-tracker';
import { countRows, type CountEvent } from '../../src/immunization/tracking/count-deltas';
import { loadCdsiEngine } from '../../src/immunization/cdsi';
import { seededRandom } from '../../src/shared/seeded-random';

let db: Database;
let tracker: ImmunizationTracker;
beforeAll(async () => {
  db = await createTestDatabase();
  tracker = new ImmunizationTracker({ knex: db.knex, store: undefined as never, persons: undefined as never, engine: loadCdsiEngine() });
});
afterAll(async () => {
  await db?.close();
});

const STATES = ['fully-vaccinated', 'partially-vaccinated', 'not-vaccinated'] as const;

describe('migration 08 (year/month/day deltas ⇄ count tree)', () => {
  test('down rebuilds the day deltas and their year/month buckets, up rebuilds the same tree counts', async () => {
    const random = seededRandom(8);
    const day = () => `${1930 + Math.floor(random() * 120)}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
    const events: CountEvent[] = Array.from({ length: 400 }, () => ({
      day: day(), clinic: random() < 0.5 ? 'north' : 'south', band: random() < 0.5 ? '18-49' : '65+', state: STATES[Math.floor(random() * 3)], delta: random() < 0.75 ? 1 : -1,
    }));
    await db.knex.transaction((trx) => applyCountRows(trx, countRows('COVID-19', events, (node) => node % 3)));
    const questions = [
      ...Array.from({ length: 12 }, () => ({ group: 'COVID-19', date: day() })),
      { group: 'COVID-19', clinic: 'north', ageBand: '65+', date: '2000-06-30' },
      { group: 'COVID-19', clinic: 'south', date: '2049-12-31' },
      { group: 'COVID-19', ageBand: '18-49', date: '2100-01-01' },
    ];
    const expected = (q: { clinic?: string; ageBand?: string; date: string }): StateCounts => {
      const out: StateCounts = { 'fully-vaccinated': 0, 'partially-vaccinated': 0, 'not-vaccinated': 0 };
      for (const e of events) if (e.day <= q.date && (!q.clinic || q.clinic === e.clinic) && (!q.ageBand || q.ageBand === e.band)) out[e.state] += e.delta;
      return out;
    };
    for (const q of questions) expect(await tracker.counts(db.knex, q)).toEqual(expected(q));

    await countTree.down(db.knex);
    const dayRows = (await db.knex.raw(`SELECT clinic, age_band, state, bucket::text AS day, sum(n)::int AS n FROM imm_count WHERE level = 'D' GROUP BY 1, 2, 3, 4`)).rows as Array<{ clinic: string; age_band: string; state: string; day: string; n: number }>;
    const want = new Map<string, number>();
    for (const e of events) for (const c of [e.clinic, '*']) for (const b of [e.band, '*']) {
      const k = [c, b, e.state, e.day].join('|');
      want.set(k, (want.get(k) ?? 0) + e.delta);
    }
    for (const [k, n] of want) if (n === 0) want.delete(k);
    expect(new Map(dayRows.map((r) => [[r.clinic, r.age_band, r.state, r.day].join('|'), r.n]))).toEqual(want);
    const levelTotals = (await db.knex.raw(`SELECT level, sum(n)::int AS n FROM imm_count GROUP BY level ORDER BY level`)).rows as Array<{ level: string; n: number }>;
    const total = [...want.values()].reduce((a, b) => a + b, 0);
    expect(levelTotals).toEqual(['D', 'M', 'Y'].map((level) => ({ level, n: total })));

    await countTree.up(db.knex);
    for (const q of questions) expect(await tracker.counts(db.knex, q)).toEqual(expected(q));
    expect(Number((await db.knex.raw('SELECT count(*) AS n FROM imm_count_tree WHERE shard <> 0')).rows[0].n)).toBe(0);
  });
});
