import { describe, expect, test } from 'vitest';
import { bucketsOf, countRows, hotShardChooser, timelineEvents } from './count-deltas';
import type { StatusSegment } from './tracking-model';

const segments: StatusSegment[] = [
  { from: '2000-01-01', state: 'not-vaccinated', clinic: 'a', band: '0-4' },
  { from: '2021-03-01', state: 'partially-vaccinated', clinic: 'b', band: '18-49' },
];

describe('count deltas', () => {
  test('a timeline enters each segment and leaves it when the next begins', () => {
    expect(timelineEvents(segments)).toEqual([
      { day: '2000-01-01', clinic: 'a', band: '0-4', state: 'not-vaccinated', delta: 1 },
      { day: '2021-03-01', clinic: 'a', band: '0-4', state: 'not-vaccinated', delta: -1 },
      { day: '2021-03-01', clinic: 'b', band: '18-49', state: 'partially-vaccinated', delta: 1 },
    ]);
  });

  test('buckets: year, month and day', () => {
    expect(bucketsOf('2021-03-05')).toEqual([['Y', '2021-01-01'], ['M', '2021-03-01'], ['D', '2021-03-05']]);
  });

  test('each event is counted at 3 levels × (clinic, all clinics) × (band, all bands); replacing a timeline by itself nets to nothing', () => {
    const rows = countRows('COVID-19', timelineEvents(segments));
    expect(rows.filter((r) => r.clinic === '*' && r.age_band === '*' && r.level === 'D')).toEqual([
      { vaccine_group: 'COVID-19', clinic: '*', age_band: '*', state: 'not-vaccinated', level: 'D', bucket: '2000-01-01', shard: 0, n: 1 },
      { vaccine_group: 'COVID-19', clinic: '*', age_band: '*', state: 'not-vaccinated', level: 'D', bucket: '2021-03-01', shard: 0, n: -1 },
      { vaccine_group: 'COVID-19', clinic: '*', age_band: '*', state: 'partially-vaccinated', level: 'D', bucket: '2021-03-01', shard: 0, n: 1 },
    ]);
    expect(rows).toHaveLength(3 * 3 * 4);
    expect(countRows('COVID-19', [...timelineEvents(segments, -1), ...timelineEvents(segments, 1)])).toEqual([]);
  });

  test('only recent buckets are sharded', () => {
    const choose = hotShardChooser(new Date('2026-11-23T12:00:00Z'));
    expect(choose('D', '2020-01-01')).toBe(0);
    expect(choose('M', '2026-01-01')).toBe(0);
    expect(choose('Y', '2025-01-01')).toBe(0);
    const hot = choose('D', '2026-11-23');
    expect(choose('M', '2026-11-01')).toBe(hot);
    expect(choose('Y', '2026-01-01')).toBe(hot);
  });
});
