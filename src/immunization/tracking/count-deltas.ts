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

/**
 * One `imm_count_tree` row delta: the change of the three state counts of one (group, clinic, band)
 * at one node of the day tree (see treePath), in one shard.
 */
export interface CountRow {
  vaccine_group: string;
  clinic: string;
  age_band: string;
  node: number;
  shard: number;
  n_fully: number;
  n_partially: number;
  n_not: number;
}

/** The count column of each state. */
export const STATE_COLUMN: Record<TrackingState, 'n_fully' | 'n_partially' | 'n_not'> = {
  'fully-vaccinated': 'n_fully',
  'partially-vaccinated': 'n_partially',
  'not-vaccinated': 'n_not',
};

/**
 * Days are numbered from TREE_EPOCH (day 1) to TREE_SIZE (2517-09-22). The counts of one (group,
 * clinic, band) are a Fenwick tree (binary indexed tree) over those days: node i holds the sum of the
 * daily deltas of days (i - lowbit(i), i], so a count as of day D is the sum of at most 18 nodes
 * (prefixNodes) and one event changes at most 18 nodes (treePath).
 */
export const TREE_EPOCH = '1800-01-01';
export const TREE_SIZE = 1 << 18;
const EPOCH_MS = Date.parse(`${TREE_EPOCH}T00:00:00Z`);
const DAY_MS = 86_400_000;

/** Day number of 'YYYY-MM-DD' (1 = TREE_EPOCH), unclamped. */
export function dayNumber(day: string): number {
  return Math.round((Date.parse(`${day}T00:00:00Z`) - EPOCH_MS) / DAY_MS) + 1;
}

/** The day of a day number. */
export function dayOfNumber(n: number): string {
  return new Date(EPOCH_MS + (n - 1) * DAY_MS).toISOString().slice(0, 10);
}

/** The tree node an event on `day` is added at: days before the epoch count from its first day, days after the last from the last. */
export function eventNode(day: string): number {
  return Math.min(TREE_SIZE, Math.max(1, dayNumber(day)));
}

/** The nodes an event at node `i` changes: i, i + lowbit(i), … up to TREE_SIZE. */
export function treePath(i: number): number[] {
  const out: number[] = [];
  for (let j = i; j <= TREE_SIZE; j += j & -j) out.push(j);
  return out;
}

/** The nodes whose sum is the count as of the end of `day` (none before the epoch). */
export function prefixNodes(day: string): number[] {
  const out: number[] = [];
  for (let j = Math.min(TREE_SIZE, dayNumber(day)); j > 0; j -= j & -j) out.push(j);
  return out;
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

/** Chooses the shard of a count-row delta from its node. Any choice is correct: a count is the SUM over shards. */
export type ShardChooser = (node: number) => number;

/** Every delta in shard 0 (reconciliation, bulk loads). */
export const SHARD_ZERO: ShardChooser = () => 0;

/**
 * Spreads deltas of hot nodes — those covering any day from a week ago to tomorrow, i.e. the nodes
 * every current vaccination changes, including the upper nodes every event changes — over COUNT_SHARDS
 * rows by a random shard per transaction; other nodes use shard 0, so cold history (births, past and
 * future birthdays) does not multiply the row count.
 */
export function hotShardChooser(today: Date): ShardChooser {
  const shard = randomInt(COUNT_SHARDS);
  const hot = isHotNode(today);
  return (node) => (hot(node) ? shard : 0);
}

/** True for the nodes whose days (node - lowbit(node), node] include any day from a week before `today` to the day after. */
export function isHotNode(today: Date): (node: number) => boolean {
  const from = dayNumber(new Date(today.getTime() - 7 * DAY_MS).toISOString().slice(0, 10));
  const to = dayNumber(new Date(today.getTime() + DAY_MS).toISOString().slice(0, 10));
  return (node) => node >= from && node - (node & -node) < to;
}

/**
 * Expands events into count-row deltas (each event on its tree path × clinic/all × band/all), summed
 * per row key, zeros dropped, sorted by key so that concurrent writers lock rows in one order.
 */
export function countRows(group: string, events: CountEvent[], shardFor: ShardChooser = SHARD_ZERO): CountRow[] {
  const sums = new Map<string, CountRow>();
  for (const e of events) {
    const column = STATE_COLUMN[e.state];
    const path = treePath(eventNode(e.day));
    for (const clinic of e.clinic === ALL ? [ALL] : [e.clinic, ALL]) {
      for (const band of e.band === ALL ? [ALL] : [e.band, ALL]) {
        for (const node of path) {
          const shard = shardFor(node);
          const key = `${clinic}\u0000${band}\u0000${node}\u0000${shard}`;
          let row = sums.get(key);
          if (!row) sums.set(key, (row = { vaccine_group: group, clinic, age_band: band, node, shard, n_fully: 0, n_partially: 0, n_not: 0 }));
          row[column] += e.delta;
        }
      }
    }
  }
  return sortRows([...sums.values()].filter(nonZero));
}

/** True if the row changes any count. */
export function nonZero(r: CountRow): boolean {
  return r.n_fully !== 0 || r.n_partially !== 0 || r.n_not !== 0;
}

/** The identity of a row (without its counts). */
export function rowKey(r: CountRow): string {
  return [r.vaccine_group, r.clinic, r.age_band, String(r.node).padStart(6, '0'), String(r.shard).padStart(3, '0')].join('\u0000');
}

/** Sums rows with the same key, drops zeros, sorts by key (the one lock order every writer uses). */
export function mergeRows(rows: CountRow[]): CountRow[] {
  const merged = new Map<string, CountRow>();
  for (const r of rows) {
    const k = rowKey(r);
    const m = merged.get(k);
    if (m) {
      m.n_fully += r.n_fully;
      m.n_partially += r.n_partially;
      m.n_not += r.n_not;
    } else merged.set(k, { ...r });
  }
  return sortRows([...merged.values()].filter(nonZero));
}

/** Sorts rows by (vaccine_group, clinic, age_band, node, shard): one total order for every writer's row locks. */
export function sortRows(rows: CountRow[]): CountRow[] {
  return rows.map((r) => [rowKey(r), r] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, r]) => r);
}
