import { describe, expect, test } from 'vitest';
import { countRows, dayNumber, dayOfNumber, eventNode, hotShardChooser, mergeRows, prefixNodes, timelineEvents, treePath, TREE_SIZE, type CountRow } from './count-deltas';
import type { StatusSegment } from './tracking-model';
import { seededRandom } from '../../shared/seeded-random';

const segments: StatusSegment[] = [
  { from: '2000-01-01', state: 'not-vaccinated', clinic: 'a', band: '0-4' },
  { from: '2021-03-01', state: 'partially-vaccinated', clinic: 'b', band: '18-49' },
];

/** The count as of `day` for (clinic, band) from rows, summed over shards, as the query does. */
function countAsOf(rows: CountRow[], clinic: string, band: string, day: string) {
  const nodes = new Set(prefixNodes(day));
  const out = { f: 0, p: 0, v: 0 };
  for (const r of rows) {
    if (r.clinic !== clinic || r.age_band !== band || !nodes.has(r.node)) continue;
    out.f += r.n_fully;
    out.p += r.n_partially;
    out.v += r.n_not;
  }
  return out;
}

describe('count deltas', () => {
  test('a timeline enters each segment and leaves it when the next begins', () => {
    expect(timelineEvents(segments)).toEqual([
      { day: '2000-01-01', clinic: 'a', band: '0-4', state: 'not-vaccinated', delta: 1 },
      { day: '2021-03-01', clinic: 'a', band: '0-4', state: 'not-vaccinated', delta: -1 },
      { day: '2021-03-01', clinic: 'b', band: '18-49', state: 'partially-vaccinated', delta: 1 },
    ]);
  });

  test('day numbers and tree paths', () => {
    expect(dayNumber('1800-01-01')).toBe(1);
    expect(dayOfNumber(TREE_SIZE)).toBe('2517-09-22');
    expect(dayOfNumber(dayNumber('2024-02-29'))).toBe('2024-02-29');
    expect(eventNode('1700-05-05')).toBe(1);
    expect(eventNode('2600-01-01')).toBe(TREE_SIZE);
    expect(treePath(5)).toEqual([5, 6, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144]);
    expect(prefixNodes(dayOfNumber(13))).toEqual([13, 12, 8]);
    expect(prefixNodes('1799-12-31')).toEqual([]);
    expect(prefixNodes('2600-01-01')).toEqual([TREE_SIZE]);
    for (const day of ['1930-06-01', '2021-03-05', '2099-12-31']) expect(prefixNodes(day).length).toBeLessThanOrEqual(18);
  });

  test('the sum of a day\'s prefix nodes is the sum of every delta up to that day (random events, every rollup)', () => {
    const random = seededRandom(42);
    const days = Array.from({ length: 40 }, () => dayOfNumber(dayNumber('1995-01-01') + Math.floor(random() * 12_000)));
    const states = ['fully-vaccinated', 'partially-vaccinated', 'not-vaccinated'] as const;
    const events = Array.from({ length: 300 }, () => ({
      day: days[Math.floor(random() * days.length)],
      clinic: random() < 0.5 ? 'a' : 'b',
      band: random() < 0.5 ? '18-49' : '50-64',
      state: states[Math.floor(random() * 3)],
      delta: random() < 0.7 ? 1 : -1,
    }));
    const shard = (node: number) => node % 4; // any shard choice must give the same sums
    const rows = countRows('COVID-19', events, shard);
    for (const asOf of [...days.slice(0, 15), '1990-01-01', '2100-01-01']) {
      for (const [clinic, band] of [['a', '18-49'], ['b', '*'], ['*', '50-64'], ['*', '*']]) {
        const want = { f: 0, p: 0, v: 0 };
        for (const e of events) {
          if (e.day > asOf || (clinic !== '*' && e.clinic !== clinic) || (band !== '*' && e.band !== band)) continue;
          want[e.state === 'fully-vaccinated' ? 'f' : e.state === 'partially-vaccinated' ? 'p' : 'v'] += e.delta;
        }
        expect(countAsOf(rows, clinic, band, asOf)).toEqual(want);
      }
    }
  });

  test('each event changes its tree path × (clinic, all clinics) × (band, all bands); replacing a timeline by itself nets to nothing', () => {
    const rows = countRows('COVID-19', timelineEvents(segments));
    const node = eventNode('2000-01-01');
    expect(rows.find((r) => r.clinic === 'a' && r.age_band === '0-4' && r.node === node)).toEqual({
      vaccine_group: 'COVID-19', clinic: 'a', age_band: '0-4', node, shard: 0, n_fully: 0, n_partially: 0, n_not: 1,
    });
    expect(countAsOf(rows, '*', '*', '2021-02-28')).toEqual({ f: 0, p: 0, v: 1 });
    expect(countAsOf(rows, '*', '*', '2021-03-01')).toEqual({ f: 0, p: 1, v: 0 });
    expect(countAsOf(rows, 'a', '*', '2021-03-01')).toEqual({ f: 0, p: 0, v: 0 });
    expect(countRows('COVID-19', [...timelineEvents(segments, -1), ...timelineEvents(segments, 1)])).toEqual([]);
  });

  test('rows are merged per key and sorted in one total order', () => {
    const rows = countRows('COVID-19', timelineEvents(segments));
    const shuffled = [...rows].reverse();
    expect(mergeRows(shuffled)).toEqual(rows);
    expect(mergeRows([...rows, ...rows.map((r) => ({ ...r, n_fully: -r.n_fully, n_partially: -r.n_partially, n_not: -r.n_not }))])).toEqual([]);
  });

  test('only nodes covering the last week up to tomorrow are sharded', () => {
    const choose = hotShardChooser(new Date('2026-11-23T12:00:00Z'));
    const today = eventNode('2026-11-23');
    const hot = choose(today);
    for (const node of treePath(today)) expect(choose(node)).toBe(hot);
    for (const node of treePath(eventNode('1950-02-02')).filter((n) => n >= today)) expect(choose(node)).toBe(hot);
    expect(choose(eventNode('1950-02-02'))).toBe(0);
    expect(choose(eventNode('2040-02-02'))).toBe(0);
    expect(choose(eventNode('2026-11-10'))).toBe(0);
  });
});
