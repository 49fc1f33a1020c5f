import { randomInt } from 'node:crypto';
import type { StatusSegment, TrackingState } from './tracking-model';
import { ALL, COUNT_SHARDS } from './tracking-model';

/** One change of a count: +1 when a person enters (clinic, band, state) on `day`, -1 when they leave. */
export interface CountEvent {
  day: string;
  clinic: string;
  band: string;
  state: TrackingState;
  delta: number;
}

/** One `imm_count` row delta. */
export interface CountRow {
  vaccine_group: string;
  clinic: string;
  age_band: string;
  state: TrackingState;
  level: 'Y' | 'M' | 'D';
  bucket: string;
  shard: number;
  n: number;
}

/** The +1/-1 events of a timeline: entering each segment and leaving it when the next begins. */
export function timelineEvents(segments: StatusSegment[], sign = 1): CountEvent[] {
  const out: CountEvent[] = [];
  segments.forEach((s, i) => {
    out.push({ day: s.from, clinic: s.clinic, band: s.band, state: s.state, delta: sign });
    const next = segments[i + 1];
    if (next) out.push({ day: next.from, clinic: s.clinic, band: s.band, state: s.state, delta: -sign });
  });
  return out;
}

/** Chooses the shard of a count-row delta from its bucket. Any choice is correct: a count is the SUM over shards. */
export type ShardChooser = (level: 'Y' | 'M' | 'D', bucket: string) => number;

/** Every delta in shard 0 (reconciliation, bulk loads). */
export const SHARD_ZERO: ShardChooser = () => 0;

/**
 * Spreads deltas of recent buckets (the rows concurrent vaccinations hit: this year, this or last month,
 * the last 7 days) over COUNT_SHARDS rows by a random shard per transaction; older buckets use shard 0,
 * so cold history (births, birthdays) does not multiply the row count.
 */
export function hotShardChooser(today: Date): ShardChooser {
  const shard = randomInt(COUNT_SHARDS);
  const day = today.toISOString().slice(0, 10);
  const weekAgo = new Date(today.getTime() - 7 * 86_400_000).toISOString().slice(0, 10);
  const lastMonth = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
  const year = `${day.slice(0, 4)}-01-01`;
  return (level, bucket) => ((level === 'D' ? bucket >= weekAgo : level === 'M' ? bucket >= lastMonth : bucket >= year) ? shard : 0);
}

/** Year, month and day buckets of a day: a count as of D sums years before D's year, months before D's month in it, days up to D in it. */
export function bucketsOf(day: string): Array<['Y' | 'M' | 'D', string]> {
  return [['Y', `${day.slice(0, 4)}-01-01`], ['M', `${day.slice(0, 7)}-01`], ['D', day]];
}

/**
 * Expands events into count-row deltas (each event at 3 bucket levels × clinic/all × band/all),
 * summed per key, zeros dropped, sorted by key so that concurrent writers lock rows in one order.
 */
export function countRows(group: string, events: CountEvent[], shardFor: ShardChooser = SHARD_ZERO): CountRow[] {
  const sums = new Map<string, CountRow>();
  for (const e of events) {
    for (const clinic of [e.clinic, ALL]) {
      for (const band of [e.band, ALL]) {
        for (const [level, bucket] of bucketsOf(e.day)) {
          const shard = shardFor(level, bucket);
          const key = [group, clinic, band, level, bucket, e.state, shard].join('\u0000');
          const row = sums.get(key);
          if (row) row.n += e.delta;
          else sums.set(key, { vaccine_group: group, clinic, age_band: band, state: e.state, level, bucket, shard, n: e.delta });
        }
      }
    }
  }
  return sortRows([...sums.values()].filter((r) => r.n !== 0));
}

/** Sorts rows in primary-key order (vaccine_group, clinic, age_band, level, bucket, state, shard). */
export function sortRows(rows: CountRow[]): CountRow[] {
  const key = (r: CountRow) => [r.vaccine_group, r.clinic, r.age_band, r.level, r.bucket, r.state, String(r.shard).padStart(3, '0')].join('\u0000');
  return rows.map((r) => [key(r), r] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, r]) => r);
}
