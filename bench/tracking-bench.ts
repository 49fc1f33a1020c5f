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
 * BENCH_CSV_ROWS (default 20000). Use NODE_OPTIONS=--max-old-space-size=6144 for 1M persons.
 * Prints Markdown; append it to bench/RESULTS.md under "## Immunization tracking".
 */
import { randomBytes } from 'node:crypto';
import { createDatabase, type Database } from '../src/storage/create-database';
import { runMigrations } from '../src/storage/run-migrations';
import { loadConfig } from '../src/config/load-config';
import { createServer } from '../src/server';
import { AGE_BANDS, ageBandAt, birthdayAt, type StatusSegment, type TrackingState } from '../src/immunization/tracking/tracking-model';
import { timelineEvents } from '../src/immunization/tracking/count-deltas';
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

async function countsLatency(): Promise<string[]> {
  const db = await freshDb(process.env.BENCH_SCHEMA);
  const out: string[] = [];
  try {
    const loadedAlready = Number((await db.knex.raw('SELECT count(*) AS n FROM imm_count')).rows[0].n) > 0;
    const t0 = performance.now();
    const random = rng(7);
    // Numeric keys keep 1M persons in memory: ((day * 52 + clinic) * 7 + band) * 3 + state, clinic 0 = '*', band 6 = '*'.
    const EPOCH = Date.UTC(1900, 0, 1);
    const bands = AGE_BANDS.map((b) => b.label);
    const states: TrackingState[] = ['fully-vaccinated', 'partially-vaccinated', 'not-vaccinated'];
    const level = { D: new Map<number, number>(), M: new Map<number, number>(), Y: new Map<number, number>() };
    const bucketDay = (day: string, lv: 'D' | 'M' | 'Y') => Math.round((Date.parse(`${lv === 'D' ? day : lv === 'M' ? `${day.slice(0, 7)}-01` : `${day.slice(0, 4)}-01-01`}T00:00:00Z`) - EPOCH) / DAY);
    for (let i = 0; i < (loadedAlready ? 0 : PERSONS); i++) {
      for (const e of timelineEvents(syntheticTimeline(random))) {
        const clinic = Number(e.clinic.slice(7));
        const band = bands.indexOf(e.band);
        const state = states.indexOf(e.state);
        for (const lv of ['D', 'M', 'Y'] as const) {
          const d = bucketDay(e.day, lv);
          for (const c of [clinic, 0]) for (const b of [band, 6]) {
            const k = ((d * 52 + c) * 7 + b) * 3 + state;
            level[lv].set(k, (level[lv].get(k) ?? 0) + e.delta);
          }
        }
      }
    }
    const built = performance.now();
    let rowCount = 0;
    for (const lv of ['D', 'M', 'Y'] as const) {
      let batch: Array<[number, number]> = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const cols: Array<Array<string | number>> = [[], [], [], [], [], [], [], []];
        for (const [k, n] of batch) {
          const state = k % 3;
          const b = Math.floor(k / 3) % 7;
          const c = Math.floor(k / 21) % 52;
          const d = Math.floor(k / (21 * 52));
          cols[0].push('COVID-19'); cols[1].push(c === 0 ? '*' : `clinic-${c}`); cols[2].push(b === 6 ? '*' : bands[b]); cols[3].push(states[state]);
          cols[4].push(lv); cols[5].push(dayOf(EPOCH + d * DAY)); cols[6].push(0); cols[7].push(n);
        }
        await db.knex.raw(
          `INSERT INTO imm_count (vaccine_group, clinic, age_band, state, level, bucket, shard, n)
           SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::date[], ?::smallint[], ?::bigint[])`,
          cols as unknown as string[],
        );
        rowCount += batch.length;
        batch = [];
      };
      for (const [k, n] of level[lv]) {
        if (n === 0) continue;
        batch.push([k, n]);
        if (batch.length >= 50_000) await flush();
      }
      await flush();
      level[lv].clear();
    }
    const rows = { length: loadedAlready ? Number((await db.knex.raw('SELECT count(*) AS n FROM imm_count')).rows[0].n) : rowCount };
    await db.knex.raw('ANALYZE imm_count');
    const loaded = performance.now();
    out.push(`Aggregates of ${PERSONS.toLocaleString('en-US')} synthetic persons: ${rows.length.toLocaleString('en-US')} count rows (built in ${((built - t0) / 1000).toFixed(1)} s, inserted in ${((loaded - built) / 1000).toFixed(1)} s).`, '');
    const tracker = new ImmunizationTracker({ knex: db.knex, store: undefined as never, persons: undefined as never, engine: loadCdsiEngine() });
    const all = await tracker.counts(db.knex, { group: 'COVID-19', date: '2100-01-01' });
    const total = all['fully-vaccinated'] + all['partially-vaccinated'] + all['not-vaccinated'];
    out.push(`Check: as of 2100-01-01 the counts sum to ${total.toLocaleString('en-US')} persons (expected ${PERSONS.toLocaleString('en-US')}): ${total === PERSONS ? 'OK' : 'MISMATCH'}.`, '');
    const qRandom = rng(11);
    const date = () => dayOf(Date.UTC(2021, 0, 1) + Math.floor(qRandom() * 1400) * DAY);
    const shapes: Array<[string, () => Promise<unknown>]> = [
      ['all persons, as of a random day', () => tracker.counts(db.knex, { group: 'COVID-19', date: date() })],
      ['one clinic', () => tracker.counts(db.knex, { group: 'COVID-19', clinic: `clinic-${1 + Math.floor(qRandom() * CLINICS)}`, date: date() })],
      ['one age band', () => tracker.counts(db.knex, { group: 'COVID-19', ageBand: AGE_BANDS[Math.floor(qRandom() * AGE_BANDS.length)].label, date: date() })],
      ['clinic + age band', () => tracker.counts(db.knex, { group: 'COVID-19', clinic: `clinic-${1 + Math.floor(qRandom() * CLINICS)}`, ageBand: '18-49', date: date() })],
      ['breakdown by age band', () => tracker.countsBy(db.knex, { group: 'COVID-19', date: date() }, 'age-band')],
      ['breakdown by clinic (50 clinics)', () => tracker.countsBy(db.knex, { group: 'COVID-19', date: date() }, 'clinic')],
    ];
    out.push('| query (SQL, one connection) | n | p50 ms | p95 ms | p99 ms |', '|---|---:|---:|---:|---:|');
    for (const [name, fn] of shapes) {
      for (let i = 0; i < 20; i++) await fn();
      const times: number[] = [];
      for (let i = 0; i < 300; i++) {
        const s = performance.now();
        await fn();
        times.push(performance.now() - s);
      }
      times.sort((a, b) => a - b);
      out.push(`| ${name} | 300 | ${percentile(times, 50).toFixed(2)} | ${percentile(times, 95).toFixed(2)} | ${percentile(times, 99).toFixed(2)} |`);
    }
    // Over HTTP: GET /fhir/$vaccination-counts on the same data.
    const { server } = await createServer({ ...loadConfig({}), port: 0, host: '127.0.0.1', seedDemo: false, logRequests: false }, db);
    await server.start();
    const base = `http://127.0.0.1:${server.info.port}/fhir`;
    const times: number[] = [];
    for (let i = 0; i < 320; i++) {
      const s = performance.now();
      const res = await fetch(`${base}/$vaccination-counts?vaccine-group=COVID-19&date=${date()}`);
      await res.text();
      if (i >= 20) times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    out.push(`| GET /fhir/$vaccination-counts over HTTP (sequential) | 300 | ${percentile(times, 50).toFixed(2)} | ${percentile(times, 95).toFixed(2)} | ${percentile(times, 99).toFixed(2)} |`);
    await server.stop();
    const size = (await db.knex.raw("SELECT pg_size_pretty(pg_total_relation_size('imm_count')) AS s")).rows[0].s;
    out.push('', `imm_count size with indexes: ${size}.`);
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
