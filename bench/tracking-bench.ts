/**
 * Immunization-tracking benchmark (issue 7), on real Postgres:
 *  1. $vaccination-counts latency with the aggregates of N synthetic persons (default 1,000,000):
 *     synthetic timelines (birth, age-band birthdays, 0-2 doses) → timelineEvents → the count rows
 *     countRows would write (expanded here with numeric keys so 1M persons fit in memory; checked by
 *     the total as of 2100), bulk-inserted, then queried in SQL and over HTTP;
 *  2. vaccination write throughput over HTTP (POST /fhir/Immunization, every write recomputing the
 *     person and its counts in-transaction) against POST /fhir/Observation (no tracking) in the same run,
 *     then a reconciliation proving no drift after the concurrent load;
 *  3. clinic CSV report import rows/s.
 * Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/tracking-bench.ts [persons] [seconds]
 * Env: SKIP_COUNTS / SKIP_WRITES run one part; BENCH_SCHEMA=name keeps (and reuses) the loaded aggregates;
 * BENCH_CSV_ROWS (default 20000); BENCH_QUERIES (default 300) timed queries per shape. Use NODE_OPTIONS=--max-old-space-size=6144 for 1M persons.
 * Prints Markdown; append it to bench/RESULTS.md under "## Immunization tracking".
 */
import { randomBytes } from 'node:crypto';
import { createDatabase, type Database } from '../src/storage/create-database';
import { runMigrations } from '../src/storage/run-migrations';
import { loadConfig } from '../src/config/load-config';
import { createServer } from '../src/server';
import { AGE_BANDS, COUNT_SHARDS, ageBandAt, birthdayAt, type StatusSegment, type TrackingState } from '../src/immunization/tracking/tracking-model';
import { dayNumber, isHotNode, timelineEvents, TREE_SIZE } from '../src/immunization/tracking/count-deltas';
import { ImmunizationTracker, reconcileTracking } from '../src/immunization/tracking';
import { loadCdsiEngine } from '../src/immunization/cdsi';
import { seededRandom } from '../src/shared/seeded-random';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PERSONS = Number(process.argv[2] ?? 1_000_000);
const SECONDS = Number(process.argv[3] ?? 10);
const CLINICS = 50;
const CONCURRENCY = 16;

/** A fresh schema, or BENCH_SCHEMA (kept afterwards, so the 1M-person aggregates can be queried again without reloading). */
async function freshDb(reuse?: string): Promise<Database> {
  const schema = reuse ?? `bench_${randomBytes(4).toString('hex')}`;
  const db = await createDatabase({ url: DATABASE_URL, schema, poolMax: 20 });
  await runMigrations(db);
  return { ...db, close: async () => { if (!reuse) await db.knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]); await db.close(); } };
}

const rng = seededRandom;

const DAY = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A synthetic timeline: not vaccinated from birth, partially from dose 1, fully from dose 2, age bands at birthdays. */
function syntheticTimeline(random: () => number): StatusSegment[] {
  const birth = dayOf(Date.UTC(1930, 0, 1) + Math.floor(random() * 93 * 365) * DAY);
  const home = `clinic-${1 + Math.floor(random() * CLINICS)}`;
  const points: Array<{ day: string; state?: TrackingState; clinic?: string; band?: string }> = [{ day: birth, state: 'not-vaccinated', clinic: home, band: ageBandAt(birth, birth) }];
  for (const b of AGE_BANDS) if (b.from > 0) points.push({ day: birthdayAt(birth, b.from), band: b.label });
  const r = random();
  const d1 = Date.UTC(2021, 0, 1) + Math.floor(random() * 900) * DAY;
  if (r > 0.2 && dayOf(d1) > birthdayAt(birth, 1)) {
    points.push({ day: dayOf(d1), state: 'partially-vaccinated', clinic: random() < 0.9 ? home : `clinic-${1 + Math.floor(random() * CLINICS)}` });
    if (r > 0.4) points.push({ day: dayOf(d1 + (21 + Math.floor(random() * 40)) * DAY), state: 'fully-vaccinated' });
  }
  points.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  const segments: StatusSegment[] = [];
  let cur = { state: 'not-vaccinated' as TrackingState, clinic: home, band: ageBandAt(birth, birth) };
  for (const p of points) {
    cur = { state: p.state ?? cur.state, clinic: p.clinic ?? cur.clinic, band: p.band ?? cur.band };
    const last = segments[segments.length - 1];
    if (last && last.from === p.day) Object.assign(last, cur);
    else if (!last || last.state !== cur.state || last.clinic !== cur.clinic || last.band !== cur.band) segments.push({ from: p.day, ...cur });
  }
  return segments;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Splits a count over the shards (as concurrent live writes would have spread it). */
function splitOverShards(n: number, shards: number): number[] {
  const sign = n < 0 ? -1 : 1;
  const a = Math.abs(n);
  return Array.from({ length: shards }, (_, s) => sign * (Math.floor(a / shards) + (s < a % shards ? 1 : 0)));
}

const QUERIES = Number(process.env.BENCH_QUERIES ?? 300);

async function timed(fn: () => Promise<unknown>, n = QUERIES, warm = 20): Promise<number[]> {
  for (let i = 0; i < warm; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await fn();
    times.push(performance.now() - s);
  }
  return times.sort((a, b) => a - b);
}

const row = (name: string, times: number[]) => `| ${name} | ${times.length} | ${percentile(times, 50).toFixed(2)} | ${percentile(times, 95).toFixed(2)} | ${percentile(times, 99).toFixed(2)} |`;

async function countsLatency(): Promise<string[]> {
  const db = await freshDb(process.env.BENCH_SCHEMA);
  const out: string[] = [];
  try {
    const loadedAlready = Number((await db.knex.raw('SELECT count(*) AS n FROM imm_count_tree')).rows[0].n) > 0;
    const t0 = performance.now();
    const random = rng(7);
    // Daily deltas in one dense array: [((clinic * 7 + band) * 3 + state) * SPAN + day - LO], clinic 0 = '*', band 6 = '*'.
    const bands = AGE_BANDS.map((b) => b.label);
    const states: TrackingState[] = ['fully-vaccinated', 'partially-vaccinated', 'not-vaccinated'];
    const KEYS = (CLINICS + 1) * 7;
    const LO = dayNumber('1930-01-01');
    const SPAN = dayNumber('2100-01-01') - LO;
    const daily = loadedAlready ? new Int32Array(0) : new Int32Array(KEYS * 3 * SPAN);
    for (let i = 0; i < (loadedAlready ? 0 : PERSONS); i++) {
      for (const e of timelineEvents(syntheticTimeline(random))) {
        const clinic = Number(e.clinic.slice(7));
        const band = bands.indexOf(e.band);
        const state = states.indexOf(e.state);
        const d = dayNumber(e.day) - LO;
        if (d < 0 || d >= SPAN) throw new Error(`event day ${e.day} outside the bench range`);
        for (const c of [clinic, 0]) for (const b of [band, 6]) daily[((c * 7 + b) * 3 + state) * SPAN + d] += e.delta;
      }
    }
    const built = performance.now();
    // Per (clinic, band): the Fenwick tree over days (O(n) build), non-zero nodes → rows; hot nodes spread over the shards.
    const isHot = isHotNode(new Date());
    const hotNodes = new Set<number>();
    for (let node = 1; node <= TREE_SIZE; node++) if (isHot(node)) hotNodes.add(node);
    let rowCount = 0;
    let batch: Array<[number, number, number, number, number, number, number]> = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const cols: Array<Array<string | number>> = [[], [], [], [], [], [], [], []];
      for (const [c, b, node, shard, f, pa, v] of batch) {
        cols[0].push('COVID-19'); cols[1].push(c === 0 ? '*' : `clinic-${c}`); cols[2].push(b === 6 ? '*' : bands[b]);
        cols[3].push(node); cols[4].push(shard); cols[5].push(f); cols[6].push(pa); cols[7].push(v);
      }
      await db.knex.raw(
        `INSERT INTO imm_count_tree (vaccine_group, clinic, age_band, node, shard, n_fully, n_partially, n_not)
         SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::integer[], ?::smallint[], ?::bigint[], ?::bigint[], ?::bigint[])`,
        cols as unknown as string[],
      );
      rowCount += batch.length;
      batch = [];
    };
    if (!loadedAlready) {
      await db.knex.raw('DROP INDEX imm_count_tree_band_idx');
      // One clinic at a time, its 7 bands' trees side by side, rows emitted in primary-key order (clinic, node, band).
      const trees = Array.from({ length: 7 * 3 }, () => new Float64Array(TREE_SIZE + 1));
      for (let c = 0; c <= CLINICS; c++) {
        for (let b = 0; b < 7; b++) {
          for (let s = 0; s < 3; s++) {
            const t = trees[b * 3 + s];
            t.fill(0);
            const base = ((c * 7 + b) * 3 + s) * SPAN;
            for (let d = 0; d < SPAN; d++) t[LO + d] = daily[base + d];
            for (let i = 1; i <= TREE_SIZE; i++) {
              const j = i + (i & -i);
              if (j <= TREE_SIZE) t[j] += t[i];
            }
          }
        }
        for (let node = 1; node <= TREE_SIZE; node++) {
          for (let b = 0; b < 7; b++) {
            const f = trees[b * 3][node], pa = trees[b * 3 + 1][node], v = trees[b * 3 + 2][node];
            if (f === 0 && pa === 0 && v === 0) continue;
            if (hotNodes.has(node)) {
              const [fs, ps, vs] = [splitOverShards(f, COUNT_SHARDS), splitOverShards(pa, COUNT_SHARDS), splitOverShards(v, COUNT_SHARDS)];
              for (let s = 0; s < COUNT_SHARDS; s++) if (fs[s] || ps[s] || vs[s]) batch.push([c, b, node, s, fs[s], ps[s], vs[s]]);
            } else batch.push([c, b, node, 0, f, pa, v]);
            if (batch.length >= 50_000) await flush();
          }
        }
      }
      await flush();
      await db.knex.raw('CREATE INDEX imm_count_tree_band_idx ON imm_count_tree (vaccine_group, age_band, node, clinic, shard)');
    }
    const rows = { length: loadedAlready ? Number((await db.knex.raw('SELECT count(*) AS n FROM imm_count_tree')).rows[0].n) : rowCount };
    await db.knex.raw('VACUUM ANALYZE imm_count_tree');
    const loaded = performance.now();
    out.push(`Aggregates of ${PERSONS.toLocaleString('en-US')} synthetic persons: ${rows.length.toLocaleString('en-US')} \`imm_count_tree\` rows (${hotNodes.size} hot nodes spread over ${COUNT_SHARDS} shards; built in ${((built - t0) / 1000).toFixed(1)} s, tree + insert + index in ${((loaded - built) / 1000).toFixed(1)} s).`, '');
    const tracker = new ImmunizationTracker({ knex: db.knex, store: undefined as never, persons: undefined as never, engine: loadCdsiEngine() });
    const all = await tracker.counts(db.knex, { group: 'COVID-19', date: '2100-01-01' });
    const total = all['fully-vaccinated'] + all['partially-vaccinated'] + all['not-vaccinated'];
    out.push(`Check: as of 2100-01-01 the counts sum to ${total.toLocaleString('en-US')} persons (expected ${PERSONS.toLocaleString('en-US')}): ${total === PERSONS ? 'OK' : 'MISMATCH'}.`);
    if (!loadedAlready) {
      // Cross-check against a plain prefix sum of the daily deltas: 20 random (clinic, band, day) and one clinic breakdown.
      const cr = rng(5);
      let bad = 0;
      const direct = (c: number, b: number, day: string) => states.map((_, s) => {
        let n = 0;
        const base = ((c * 7 + b) * 3 + s) * SPAN;
        for (let d = 0; d <= Math.min(SPAN - 1, dayNumber(day) - LO); d++) n += daily[base + d];
        return n;
      });
      for (let k = 0; k < 20; k++) {
        const c = Math.floor(cr() * (CLINICS + 1));
        const b = Math.floor(cr() * 7);
        const day = dayOf(Date.UTC(1950, 0, 1) + Math.floor(cr() * 150 * 365) * DAY);
        const got = await tracker.counts(db.knex, { group: 'COVID-19', clinic: c === 0 ? undefined : `clinic-${c}`, ageBand: b === 6 ? undefined : bands[b], date: day });
        if (states.map((s) => got[s]).join() !== direct(c, b, day).join()) bad++;
      }
      const byClinic = await tracker.countsBy(db.knex, { group: 'COVID-19', ageBand: '18-49', date: '2022-06-30' }, 'clinic');
      for (let c = 1; c <= CLINICS; c++) {
        const got = byClinic.get(`clinic-${c}`);
        if (states.map((s) => got?.[s] ?? 0).join() !== direct(c, 3, '2022-06-30').join()) bad++;
      }
      out.push(`Cross-check against plain prefix sums of the daily deltas (20 random counts 1950–2100, 50 clinic strata): ${bad === 0 ? 'OK' : `${bad} MISMATCHES`}.`);
    }
    out.push('');
    const qRandom = rng(11);
    const date = () => dayOf(Date.UTC(2021, 0, 1) + Math.floor(qRandom() * 1400) * DAY);
    const clinic = () => `clinic-${1 + Math.floor(qRandom() * CLINICS)}`;
    const band = () => AGE_BANDS[Math.floor(qRandom() * AGE_BANDS.length)].label;
    const today = new Date().toISOString().slice(0, 10);
    const thirtyBefore = (d: string) => dayOf(Date.parse(`${d}T00:00:00Z`) - 29 * DAY);
    const shapes: Array<[string, () => Promise<unknown>]> = [
      ['all persons, as of a random day', () => tracker.counts(db.knex, { group: 'COVID-19', date: date() })],
      ['all persons, as of today (hot, sharded nodes)', () => tracker.counts(db.knex, { group: 'COVID-19', date: today })],
      ['one clinic', () => tracker.counts(db.knex, { group: 'COVID-19', clinic: clinic(), date: date() })],
      ['one age band', () => tracker.counts(db.knex, { group: 'COVID-19', ageBand: band(), date: date() })],
      ['clinic + age band', () => tracker.counts(db.knex, { group: 'COVID-19', clinic: clinic(), ageBand: '18-49', date: date() })],
      ['breakdown by age band (6 strata)', () => tracker.countsBy(db.knex, { group: 'COVID-19', date: date() }, 'age-band')],
      ['breakdown by age band within one clinic', () => tracker.countsBy(db.knex, { group: 'COVID-19', clinic: clinic(), date: date() }, 'age-band')],
      ['breakdown by clinic (50 strata)', () => tracker.countsBy(db.knex, { group: 'COVID-19', date: date() }, 'clinic')],
      ['breakdown by clinic within one age band', () => tracker.countsBy(db.knex, { group: 'COVID-19', ageBand: band(), date: date() }, 'clinic')],
      ['breakdown by clinic as of today', () => tracker.countsBy(db.knex, { group: 'COVID-19', date: today }, 'clinic')],
      ['breakdown by day (30 days)', () => { const d = date(); return tracker.countsBy(db.knex, { group: 'COVID-19', date: d, start: thirtyBefore(d) }, 'day'); }],
      ['breakdown by day (366 days, one clinic)', () => { const d = date(); return tracker.countsBy(db.knex, { group: 'COVID-19', clinic: clinic(), date: d, start: dayOf(Date.parse(`${d}T00:00:00Z`) - 365 * DAY) }, 'day'); }],
    ];
    out.push('| query | n | p50 ms | p95 ms | p99 ms |', '|---|---:|---:|---:|---:|');
    for (const [name, fn] of shapes) out.push(row(`SQL (one connection): ${name}`, await timed(fn)));
    // Over HTTP: GET /fhir/$vaccination-counts on the same data, sequential requests.
    const { server } = await createServer({ ...loadConfig({}), port: 0, host: '127.0.0.1', seedDemo: false, logRequests: false }, db);
    await server.start();
    const base = `http://127.0.0.1:${server.info.port}/fhir`;
    const http: Array<[string, () => string]> = [
      ['`$vaccination-counts` (all persons)', () => `/$vaccination-counts?vaccine-group=COVID-19&date=${date()}`],
      ['`$vaccination-counts?clinic=&age-band=`', () => `/$vaccination-counts?vaccine-group=COVID-19&clinic=${clinic()}&age-band=18-49&date=${date()}`],
      ['`…&breakdown=age-band`', () => `/$vaccination-counts?vaccine-group=COVID-19&breakdown=age-band&date=${date()}`],
      ['`…&breakdown=clinic`', () => `/$vaccination-counts?vaccine-group=COVID-19&breakdown=clinic&date=${date()}`],
      ['`…&breakdown=day` (30 days)', () => `/$vaccination-counts?vaccine-group=COVID-19&breakdown=day&date=${date()}`],
      ['`MeasureReport/$vaccination-counts?…&breakdown=clinic`', () => `/MeasureReport/$vaccination-counts?vaccine-group=COVID-19&breakdown=clinic&date=${date()}`],
    ];
    for (const [name, url] of http) {
      out.push(row(`HTTP: ${name}`, await timed(async () => {
        const res = await fetch(`${base}${url()}`);
        if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
        await res.text();
      })));
    }
    await server.stop();
    const size = (await db.knex.raw("SELECT pg_size_pretty(pg_table_size('imm_count_tree')) AS t, pg_size_pretty(pg_indexes_size('imm_count_tree')) AS i")).rows[0];
    out.push('', `imm_count_tree size: table ${size.t}, indexes ${size.i}.`);
  } finally {
    await db.close();
  }
  return out;
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

async function writeThroughput(): Promise<string[]> {
  const db = await freshDb();
  const out: string[] = [];
  try {
    const { server, services } = await createServer({ ...loadConfig({}), port: 0, host: '127.0.0.1', seedDemo: false, logRequests: false }, db, { ...process.env, LINKAGE_SECRET: process.env.LINKAGE_SECRET ?? 'bench-only-secret-not-for-production-use-0123456789' });
    await server.start();
    const base = `http://127.0.0.1:${server.info.port}/fhir`;
    const post = async (type: string, body: unknown) => {
      const res = await fetch(`${base}/${type}`, { method: 'POST', headers: { 'content-type': 'application/fhir+json', prefer: 'return=minimal' }, body: JSON.stringify(body) });
      if (res.status !== 201) throw new Error(`${type}: ${res.status} ${await res.text()}`);
      return res.headers.get('location')!.split('/')[1 + res.headers.get('location')!.split('/').indexOf(type)];
    };
    const random = rng(3);
    const letters = 'bcdfghjklmnpqrstvwxz';
    const name = () => Array.from({ length: 4 }, () => letters[Math.floor(random() * 20)] + 'aeiou'[Math.floor(random() * 5)]).join('');
    const patients: string[] = [];
    await pool(Array.from({ length: 2000 }, (_, i) => i), CONCURRENCY, async () => {
      patients.push(await post('Patient', { resourceType: 'Patient', name: [{ family: name(), given: [name()] }], gender: 'female', birthDate: dayOf(Date.UTC(1940, 0, 1) + Math.floor(random() * 60 * 365) * DAY), managingOrganization: { reference: `Organization/clinic-${1 + Math.floor(random() * CLINICS)}` } }));
    });
    const run = async (label: string, make: (i: number) => [string, unknown]) => {
      let n = 0;
      const end = performance.now() + SECONDS * 1000;
      const started = performance.now();
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < end) {
          const [type, body] = make(n++);
          await post(type, body);
        }
      }));
      const rate = n / ((performance.now() - started) / 1000);
      out.push(`| ${label} | ${CONCURRENCY} | ${n} | ${rate.toFixed(0)} |`);
    };
    out.push('| write (HTTP, real Postgres) | connections | writes | writes/s |', '|---|---:|---:|---:|');
    await run('POST /fhir/Observation (no tracking; baseline)', (i) => ['Observation', { resourceType: 'Observation', status: 'final', code: { text: 'bench' }, subject: { reference: `Patient/${patients[i % patients.length]}` }, valueInteger: i }]);
    await run('POST /fhir/Immunization (status + counts recomputed in the write transaction)', (i) => ['Immunization', {
      resourceType: 'Immunization', status: 'completed', vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: i % 3 === 0 ? '207' : '208' }] },
      patient: { reference: `Patient/${patients[Math.floor(random() * patients.length)]}` }, occurrenceDateTime: dayOf(Date.UTC(2021, 0, 1) + Math.floor(random() * 600) * DAY),
      performer: [{ actor: { reference: `Organization/clinic-${1 + Math.floor(random() * CLINICS)}` } }],
    }]);
    const tracker = new ImmunizationTracker({ knex: db.knex, store: services.store, persons: services.persons, engine: loadCdsiEngine() });
    const report = await reconcileTracking(db.knex, tracker, { fix: false });
    out.push('', `Reconciliation after the concurrent load: ${report.immunizationsScanned} Immunizations, ${report.personsScanned} persons, ${report.countKeysChecked} count keys checked in ${report.millis} ms — drift: ${report.doseDrift.length} dose rows, ${report.personDrift.length} persons, ${report.countDrift.length} count keys.`);
    // CSV import.
    const rowsN = Number(process.env.BENCH_CSV_ROWS ?? 20_000);
    const lines = ['record_id,patient_id,family,given,sex,birth_date,vaccine,date,provider'];
    for (let i = 0; i < rowsN; i++) {
      const p = Math.floor(i / 2);
      const pr = rng(p + 1);
      const fam = Array.from({ length: 4 }, () => letters[Math.floor(pr() * 20)] + 'aeiou'[Math.floor(pr() * 5)]).join('');
      lines.push(`R${i},P${p},${fam},${fam.slice(0, 5)},female,${dayOf(Date.UTC(1940, 0, 1) + Math.floor(pr() * 60 * 365) * DAY)},${i % 2 ? '208' : '208'},${i % 2 ? '2021-04-01' : '2021-03-01'},Nurse`);
    }
    const csv = lines.join('\n');
    const api = base.replace(/\/fhir$/, '/api');
    for (const round of ['first import', 'same file again (idempotent)']) {
      const s = performance.now();
      const res = await fetch(`${api}/clinics/bench-clinic/reports`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
      const body = (await res.json()) as { created: number; unchanged: number; rejected: number };
      const secs = (performance.now() - s) / 1000;
      out.push(`CSV report, ${round}: ${rowsN.toLocaleString('en-US')} rows (${Math.round(rowsN / 2).toLocaleString('en-US')} patients × 2 doses) in ${secs.toFixed(1)} s = **${Math.round(rowsN / secs)} rows/s** (created ${body.created}, unchanged ${body.unchanged}, rejected ${body.rejected}).`);
    }
    await server.stop();
  } finally {
    await db.close();
  }
  return out;
}

const lines: string[] = [`Run ${new Date().toISOString().slice(0, 16)}Z, Node ${process.version}, Postgres at ${DATABASE_URL.replace(/\/\/[^@]*@/, '//')}, ${SECONDS} s per write test.`, ''];
if (!process.env.SKIP_COUNTS) lines.push(...(await countsLatency()), '');
if (!process.env.SKIP_WRITES) lines.push(...(await writeThroughput()));
console.log(lines.join('\n'));
