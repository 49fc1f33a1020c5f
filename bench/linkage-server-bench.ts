/**
 * Record linkage in the server, on real Postgres: bulk-loads N persons (Patient rows, golden Person rows, tokens,
 * blocking keys, MPI rows — what the server writes for a new person), then times Patient creates through
 * ResourceStore (half corrupted copies of loaded persons, half new people) three ways: without hooks, with the
 * linkage hook, and with linkage + immunization tracking installed as src/server.ts does; and checks the links.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/linkage-server-bench.ts [persons=200000] [creates=1000]
 *
 * Environment:
 * - LINKAGE_BENCH_SCHEMA=name: use this schema; if it already holds a completed load it is reused (no reload; the
 *   `persons` argument is then taken from the schema) and never dropped by the script. Otherwise it is loaded.
 *   Migrations are run on reuse; each measurement adds ~2,400 Patients. Reload after editing a migration that
 *   already ran on the schema (knex does not re-run it).
 * - KEEP_SCHEMA=1 (or LINKAGE_BENCH_KEEP=1): keep a freshly loaded schema at the end (default: dropped).
 * - DROP_SCHEMA=1: drop the schema at the end even when it was reused.
 * - creates=0: load (and verify) only.
 * - LINKAGE_BENCH_TRACE=1: time per SQL statement shape during the measured creates, per configuration.
 * - LOAD_WORKERS (default 2), LOAD_BATCH (default 5000), LOAD_CONCURRENCY (default 2): bulk-load pipeline.
 *
 * Bulk load: worker threads generate persons and compute their tokens and blocking keys with the server's own
 * functions (`computeTokens(normalizePerson(fhirPatientToPersonPhi(patient)))`, `blockingKeys`, `goldenPerson`);
 * the main thread inserts each batch with one multi-row INSERT … SELECT FROM unnest(…) per table (blocking-key
 * hashes computed by `hashtextextended(key, 0)` in SQL, as the server does), `synchronous_commit = off`; the
 * tables' primary keys and indexes are dropped during the load and recreated with their original definitions
 * afterwards, then VACUUM ANALYZE (the steady state of an insert-only table under autovacuum). Not loaded:
 * history rows, search-index rows and immunization-tracking rows of the loaded persons (not read by linkage).
 * A sample of loaded persons' PHI is kept in `bench_linkage_sample` (in the bench schema) for the corrupted copies.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Knex } from 'knex';
import type { Patient } from 'fhir/r4';
import { blockingKeys, computeTokens, fhirPatientToPersonPhi, masterKeyFromSecret, normalizePerson } from '../src/linkage';
import type { PersonPhi } from '../src/linkage/person';
import { goldenPerson } from '../src/linkage/server/golden-record';
import { corrupt, rng } from './linkage-data';

const SECRET = 'linkage-server-bench-secret-0123456789';
const SEED = 20261123;
/** Every SAMPLE_EVERY-th loaded person's PHI is kept for corrupted copies. */
const SAMPLE_EVERY = 50;
const SAMPLE_TABLE = 'bench_linkage_sample';
const META_TABLE = 'bench_linkage_meta';
/** Tables the bulk load fills (their keys and indexes are rebuilt after the load). */
const LOADED_TABLES = ['Patient', 'Person', 'linkage_record', 'linkage_block', 'mpi_person_link'];

// ---------------------------------------------------------------- synthetic persons (same tables in every thread)

const tr = rng(SEED);
const tpick = <T>(xs: T[]) => xs[Math.floor(tr() * xs.length)]!;
const givenNames = [...new Set(readFileSync(new URL('../seeds/linkage/nicknames_names.csv', import.meta.url), 'utf8').split('\n').slice(1).map((l) => l.split(',')[0]!).filter((n) => /^[a-z]{3,}$/.test(n)))];
const SYL = ['an', 'ber', 'cas', 'dor', 'el', 'fin', 'gar', 'hol', 'is', 'jan', 'kov', 'lam', 'mor', 'nes', 'ol', 'per', 'quin', 'ros', 'sen', 'tal', 'ur', 'van', 'wes', 'yor', 'zel', 'son', 'ley', 'ton', 'ski', 'ez'];
const word = (n: number) => Array.from({ length: n }, () => tpick(SYL)).join('');
const families = Array.from({ length: 40_000 }, () => word(2 + Math.floor(tr() * 2)));
const streets = Array.from({ length: 5000 }, () => `${word(2)} ${tpick(['street', 'road', 'avenue', 'crescent', 'place'])}`);
const suburbs = Array.from({ length: 3000 }, () => word(2));
const STATES = ['nsw', 'vic', 'qld', 'wa', 'sa', 'tas', 'act', 'nt'];
const pad = (n: number, w: number) => String(n).padStart(w, '0');

function newPerson(r: () => number): PersonPhi {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const y = 1930 + Math.floor(r() * 95);
  return {
    given: pick(givenNames),
    family: pick(families),
    sex: r() < 0.5 ? 'female' : 'male',
    birthDate: `${y}${pad(1 + Math.floor(r() * 12), 2)}${pad(1 + Math.floor(r() * 28), 2)}`,
    streetNumber: String(1 + Math.floor(r() * 200)),
    addressLine: pick(streets),
    city: pick(suburbs),
    postcode: pad(2000 + Math.floor(r() * 7000), 4),
    state: pick(STATES),
    nationalId: pad(Math.floor(r() * 1e9), 9),
  };
}

const validDate = (d: string) => /^\d{8}$/.test(d) && !Number.isNaN(Date.parse(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}T00:00:00Z`)) && new Date(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}T00:00:00Z`).getUTCDate() === Number(d.slice(6));

/** A FHIR Patient carrying a PersonPhi (so the server path extracts the same fields back). */
function toPatient(p: PersonPhi, clinic: string): Patient {
  const d = p.birthDate ?? '';
  return {
    resourceType: 'Patient',
    identifier: [{ system: `urn:clinic:${clinic}`, value: randomUUID() }, ...(p.nationalId ? [{ system: 'http://ns.electronichealth.net.au/id/medicare-number', value: p.nationalId }] : [])],
    name: [{ family: p.family || undefined, given: p.given ? [p.given] : undefined }],
    gender: p.sex === 'female' ? 'female' : 'male',
    ...(validDate(d) ? { birthDate: `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}` } : {}),
    address: [{ use: 'home', line: [`${p.streetNumber ?? ''} ${p.addressLine ?? ''}`.trim()], city: p.city, postalCode: p.postcode, state: p.state }],
  };
}

function corruptValid(p: PersonPhi, r: () => number): PersonPhi {
  for (;;) {
    const q = corrupt(p, r);
    if (!q.birthDate || validDate(q.birthDate)) return q;
  }
}

// ---------------------------------------------------------------- load worker

/** A Postgres array literal of strings (sent as one text parameter, cast to text[] in SQL). */
const textArray = (xs: string[]) => `{${xs.map((s) => `"${s.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;

interface BatchJob {
  batch: number;
  start: number;
  count: number;
}

interface BatchResult {
  batch: number;
  count: number;
  now: string;
  ids: string;
  patients: string;
  personIds: string;
  persons: string;
  tokens: string;
  keys: string;
  owners: string;
  /** Distinct blocking keys of the batch (one linkage_block row each, barring 64-bit hash collisions). */
  blockRows: number;
  sample: Array<{ id: string; phi: PersonPhi }>;
  tokenMs: number;
}

/** Generates one batch: persons from a per-batch seed, their Patient, golden Person, tokens and blocking keys. */
function makeBatch(job: BatchJob, key: ReturnType<typeof masterKeyFromSecret>): BatchResult {
  const r = rng(SEED + 1 + job.batch * 7919);
  const now = new Date().toISOString();
  const ids: string[] = [];
  const patients: string[] = [];
  const personIds: string[] = [];
  const persons: string[] = [];
  const tokensOut: string[] = [];
  const keys: string[] = [];
  const owners: number[] = [];
  const sample: BatchResult['sample'] = [];
  let tokenMs = 0;
  for (let i = 0; i < job.count; i++) {
    const phi = newPerson(r);
    const id = randomUUID();
    const personId = randomUUID();
    const meta = { versionId: '1', lastUpdated: now };
    const content: Patient = { ...toPatient(phi, 'load'), id, meta };
    const ts = performance.now();
    const tokens = computeTokens(normalizePerson(fhirPatientToPersonPhi(content)), key);
    const k = [...new Set(blockingKeys(tokens))];
    tokenMs += performance.now() - ts;
    ids.push(id);
    patients.push(JSON.stringify(content));
    personIds.push(personId);
    persons.push(JSON.stringify({ ...goldenPerson(personId, [{ patientId: id, method: 'new' }], [content]), meta }));
    tokensOut.push(JSON.stringify(tokens));
    for (const x of k) {
      keys.push(x);
      owners.push(i + 1);
    }
    if ((job.start + i) % SAMPLE_EVERY === 0) sample.push({ id, phi });
  }
  return {
    batch: job.batch, count: job.count, now, ids: textArray(ids), patients: textArray(patients), personIds: textArray(personIds), persons: textArray(persons),
    tokens: textArray(tokensOut), keys: textArray(keys), owners: `{${owners.join(',')}}`, blockRows: keys.length, sample, tokenMs,
  };
}

if (!isMainThread) {
  const key = masterKeyFromSecret(SECRET);
  parentPort!.on('message', (job: BatchJob) => parentPort!.postMessage(makeBatch(job, key)));
} else {
  await main();
}

// ---------------------------------------------------------------- main thread

async function main(): Promise<void> {
  const { createDatabase } = await import('../src/storage/create-database');
  const { runMigrations } = await import('../src/storage/run-migrations');
  const { ResourceStore } = await import('../src/storage/resource-store');
  const { createSearchEngine } = await import('../src/fhir/search');
  const { PersonDirectory } = await import('../src/mpi/person-directory');
  const { LinkageService } = await import('../src/linkage/server');
  const { ImmunizationTracker } = await import('../src/immunization/tracking');
  const { loadCdsiEngine } = await import('../src/immunization/cdsi');

  const argN = Number(process.argv[2] ?? 200_000);
  const CREATES = Number(process.argv[3] ?? 1000);
  const url = process.env.DATABASE_URL;
  if (!url?.startsWith('postgres')) {
    console.error('set DATABASE_URL to a Postgres server (this benchmark is about real Postgres)');
    process.exit(2);
  }
  const schema = process.env.LINKAGE_BENCH_SCHEMA ?? `bench_linkage_${Date.now().toString(36)}`;
  if (!/^bench_[a-z0-9_]+$/.test(schema)) throw new Error(`LINKAGE_BENCH_SCHEMA must match bench_[a-z0-9_]+, got ${schema}`);
  const db = await createDatabase({ url, schema, poolMax: 4 });
  const knex = db.knex;
  const key = masterKeyFromSecret(SECRET);
  let reused = false;
  try {
    // Retried: "out of shared memory" (53200) when other sessions exhaust the shared lock table (migrations lock many tables).
    for (let attempt = 1; ; attempt++) {
      try {
        await runMigrations(db);
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== '53200' || attempt >= 10) throw err;
        await new Promise((res) => setTimeout(res, 3000));
      }
    }
    const meta = (await knex.raw(`SELECT to_regclass(?) AS t`, [`${schema}.${META_TABLE}`])).rows[0].t
      ? ((await knex(META_TABLE).first()) as { persons: number; block_rows: string; load_s: number } | undefined)
      : undefined;
    let N: number;
    let blocks: number;
    let loadS: number;
    if (meta) {
      reused = true;
      N = meta.persons;
      blocks = Number(meta.block_rows);
      loadS = meta.load_s;
      process.stderr.write(`reusing schema ${schema}: ${N} persons loaded earlier in ${loadS.toFixed(0)} s\n`);
      if (argN !== N) process.stderr.write(`(persons argument ${argN} ignored)\n`);
    } else {
      N = argN;
      const t0 = performance.now();
      const { blockRows, tokenMs, phases } = await bulkLoad(knex, schema, N);
      loadS = (performance.now() - t0) / 1000;
      blocks = Number(((await knex('linkage_block').count('* as n')) as Array<{ n: string }>)[0]!.n);
      await knex.raw(`CREATE TABLE ?? (persons integer NOT NULL, block_rows bigint NOT NULL, load_s double precision NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now())`, [META_TABLE]);
      await knex(META_TABLE).insert({ persons: N, block_rows: blocks, load_s: loadS });
      process.stderr.write(`bulk load: ${N} persons, ${blocks} blocking rows (${blockRows} distinct keys generated) in ${loadS.toFixed(0)} s — ${phases} (token CPU ${(tokenMs / 1000).toFixed(0)} s across workers)\n`);
      await verifyLoad(knex, N, blockRows);
    }
    if (CREATES <= 0) return;

    // ------------------------------------------------------------ measurement
    const r = rng(SEED + 99 + Date.now() % 1000);
    const sample = (await knex(SAMPLE_TABLE).select('patient_id', 'phi').orderBy('patient_id')) as Array<{ patient_id: string; phi: PersonPhi }>;
    const search = createSearchEngine();
    const plain = new ResourceStore(knex, search.indexer);
    // Linkage only.
    const storeL = new ResourceStore(knex, search.indexer);
    const personsL = new PersonDirectory(knex);
    new LinkageService({ knex, store: storeL, persons: personsL, key }).install();
    // Linkage + immunization tracking, composed as in src/server.ts.
    const storeT = new ResourceStore(knex, search.indexer);
    const personsT = new PersonDirectory(knex);
    new LinkageService({ knex, store: storeT, persons: personsT, key }).install();
    new ImmunizationTracker({ knex, store: storeT, persons: personsT, engine: loadCdsiEngine() }).install();

    // Warm-up (JIT, connection pool, plan cache).
    for (let i = 0; i < 50; i++) {
      await plain.create(undefined, toPatient(newPerson(r), 'warm'));
      await storeL.create(undefined, toPatient(newPerson(r), 'warm'));
      await storeT.create(undefined, toPatient(newPerson(r), 'warm'));
    }

    // LINKAGE_BENCH_TRACE=1: time per SQL statement shape, per configuration.
    let phase: 'plain' | 'linkage' | 'tracking' | undefined;
    const traces = { plain: new Map<string, { n: number; ms: number }>(), linkage: new Map<string, { n: number; ms: number }>(), tracking: new Map<string, { n: number; ms: number }>() };
    const started = new Map<string, number>();
    if (process.env.LINKAGE_BENCH_TRACE) {
      knex.on('query', (q: { __knexQueryUid: string }) => started.set(q.__knexQueryUid, performance.now()));
      knex.on('query-response', (_r: unknown, q: { __knexQueryUid: string; sql: string }) => {
        const s = started.get(q.__knexQueryUid);
        started.delete(q.__knexQueryUid);
        if (!phase || s === undefined) return;
        const k = q.sql.replace(/\s+/g, ' ').slice(0, 100);
        const e = traces[phase].get(k) ?? { n: 0, ms: 0 };
        e.n++;
        e.ms += performance.now() - s;
        traces[phase].set(k, e);
      });
    }

    const baseline: number[] = [];
    for (let i = 0; i < Math.min(300, CREATES); i++) {
      const p = toPatient(newPerson(r), 'plain');
      phase = 'plain';
      const s = performance.now();
      await plain.create(undefined, p);
      baseline.push(performance.now() - s);
      phase = undefined;
    }

    interface Run { store: InstanceType<typeof ResourceStore>; persons: InstanceType<typeof PersonDirectory>; timings: number[]; dups: number; dupLinked: number; fresh: number; freshAlone: number }
    const runs: Record<'linkage' | 'tracking', Run> = {
      linkage: { store: storeL, persons: personsL, timings: [], dups: 0, dupLinked: 0, fresh: 0, freshAlone: 0 },
      tracking: { store: storeT, persons: personsT, timings: [], dups: 0, dupLinked: 0, fresh: 0, freshAlone: 0 },
    };
    const tMeasure = performance.now();
    // Interleaved (alternating which goes first) so machine noise hits both configurations alike.
    for (let i = 0; i < CREATES; i++) {
      const isDup = i % 2 === 0;
      const order: Array<'linkage' | 'tracking'> = (i >> 1) % 2 === 0 ? ['linkage', 'tracking'] : ['tracking', 'linkage'];
      for (const name of order) {
        const run = runs[name];
        const orig = isDup ? sample[Math.floor(r() * sample.length)]! : undefined;
        const phi = orig ? corruptValid(orig.phi, r) : newPerson(r);
        const p = toPatient(phi, 'bench');
        phase = name;
        const s = performance.now();
        const v = await run.store.create(undefined, p);
        run.timings.push(performance.now() - s);
        phase = undefined;
        const person = await run.persons.personOf(undefined, v.id);
        if (orig) {
          run.dups++;
          if (person && person === (await run.persons.personOf(undefined, orig.patient_id))) run.dupLinked++;
        } else {
          run.fresh++;
          if (person && (await run.persons.membersOf(undefined, person)).length === 1) run.freshAlone++;
        }
      }
    }
    const measureS = (performance.now() - tMeasure) / 1000;

    const stats = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
      return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, p50: q(0.5), p95: q(0.95), p99: q(0.99) };
    };
    const f = (x: number) => x.toFixed(2);
    for (const [name, t] of Object.entries(traces)) {
      if (!t.size) continue;
      const n = name === 'plain' ? baseline.length : runs[name as 'linkage' | 'tracking'].timings.length;
      const total = [...t.values()].reduce((a, v) => a + v.ms, 0);
      console.error(`\nstatement trace, ${name}: ${f(total / n)} ms of SQL per create (mean per create | mean per call | calls per create | statement)`);
      for (const [k, v] of [...t].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) {
        console.error(`${f(v.ms / n).padStart(7)} ${f(v.ms / v.n).padStart(7)} ${(v.n / n).toFixed(2).padStart(5)}  ${k}`);
      }
    }
    const plainS = stats(baseline);
    const linkS = stats(runs.linkage.timings);
    const trackS = stats(runs.tracking.timings);
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(`\nschema ${schema}; persons loaded: ${N}; blocking rows: ${blocks}; bulk load ${loadS.toFixed(0)} s; measured ${measureS.toFixed(0)} s; load average now ${load}`);
    console.log(`| Patient create | n | mean ms | p50 ms | p95 ms | p99 ms |`);
    console.log(`|---|---|---|---|---|---|`);
    console.log(`| without hooks (storage only) | ${baseline.length} | ${f(plainS.mean)} | ${f(plainS.p50)} | ${f(plainS.p95)} | ${f(plainS.p99)} |`);
    console.log(`| with linkage | ${runs.linkage.timings.length} | ${f(linkS.mean)} | ${f(linkS.p50)} | ${f(linkS.p95)} | ${f(linkS.p99)} |`);
    console.log(`| with linkage + immunization tracking | ${runs.tracking.timings.length} | ${f(trackS.mean)} | ${f(trackS.p50)} | ${f(trackS.p95)} | ${f(trackS.p99)} |`);
    console.log(`linkage share (mean difference to no hooks): ${f(linkS.mean - plainS.mean)} ms; tracking on top of linkage: ${f(trackS.mean - linkS.mean)} ms`);
    for (const [name, run] of Object.entries(runs)) {
      console.log(`${name}: corrupted copies linked to their original's person ${run.dupLinked}/${run.dups} (${((100 * run.dupLinked) / run.dups).toFixed(1)} %); new people left alone ${run.freshAlone}/${run.fresh} (${((100 * run.freshAlone) / run.fresh).toFixed(1)} %)`);
    }
  } finally {
    const keep = reused ? !process.env.DROP_SCHEMA : !!(process.env.KEEP_SCHEMA || process.env.LINKAGE_BENCH_KEEP) && !process.env.DROP_SCHEMA;
    if (keep) console.error(`kept schema ${schema} (reuse: LINKAGE_BENCH_SCHEMA=${schema}; drop: DROP_SCHEMA=1 or DROP SCHEMA ${schema} CASCADE)`);
    else await knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
    await db.close();
  }
}

/** Loads N persons through a worker pool and multi-row inserts; keys and indexes are rebuilt afterwards. */
async function bulkLoad(knex: Knex, schema: string, N: number): Promise<{ blockRows: number; tokenMs: number; phases: string }> {
  const WORKERS = Number(process.env.LOAD_WORKERS ?? 2);
  const BATCH = Number(process.env.LOAD_BATCH ?? 5000);
  const CONCURRENCY = Number(process.env.LOAD_CONCURRENCY ?? 2);
  const t0 = performance.now();
  const qualified = LOADED_TABLES.map((t) => `"${schema}"."${t}"`);

  // Keys and indexes of the loaded tables, to drop now and recreate with the same definitions after the load.
  const constraints = (
    await knex.raw(
      `SELECT c.conname AS name, c.conrelid::regclass::text AS tbl, pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
       WHERE c.conrelid = ANY(?::regclass[]) AND c.contype IN ('p', 'u')`,
      [qualified],
    )
  ).rows as Array<{ name: string; tbl: string; def: string }>;
  const indexes = (
    await knex.raw(
      `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
       WHERE i.indrelid = ANY(?::regclass[]) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
      [qualified],
    )
  ).rows as Array<{ name: string; def: string }>;
  const rowCount = (await knex.raw(`SELECT (SELECT count(*) FROM "Patient") + (SELECT count(*) FROM linkage_block) AS n`)).rows[0].n;
  if (Number(rowCount) !== 0) throw new Error(`schema ${schema} is not empty and holds no completed load; drop it first`);
  for (const c of constraints) await knex.raw(`ALTER TABLE ${c.tbl} DROP CONSTRAINT ??`, [c.name]);
  for (const i of indexes) await knex.raw(`DROP INDEX ${i.name}`);
  await knex.raw(`CREATE TABLE ?? (patient_id text PRIMARY KEY, phi jsonb NOT NULL)`, [SAMPLE_TABLE]);

  const workerUrl = import.meta.resolve('tsx/esm/api');
  const workers = Array.from({ length: WORKERS }, () => new Worker(`import(${JSON.stringify(workerUrl)}).then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`, { eval: true }));
  const jobs: BatchJob[] = [];
  for (let b = 0, start = 0; start < N; b++, start += BATCH) jobs.push({ batch: b, start, count: Math.min(BATCH, N - start) });
  const ready: BatchResult[] = [];
  let wake: (() => void) | undefined;
  let failed: unknown;
  let next = 0;
  let generated = 0;
  const idle: Worker[] = [];
  const dispatch = () => {
    // Backpressure: at most 2 finished batches per inserter waiting in memory.
    while (idle.length && next < jobs.length && ready.length < 2 * CONCURRENCY) idle.pop()!.postMessage(jobs[next++]);
  };
  for (const w of workers) {
    w.on('message', (res: BatchResult) => {
      ready.push(res);
      generated++;
      idle.push(w);
      dispatch();
      wake?.();
    });
    w.on('error', (e) => {
      failed = e;
      wake?.();
    });
    idle.push(w);
  }
  dispatch();
  let blockRows = 0;
  let tokenMs = 0;
  let inserted = 0;
  let lastReport = 0;
  const insertBatch = async (b: BatchResult) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await knex.transaction(async (trx) => {
          await trx.raw('SET LOCAL synchronous_commit = off');
          await trx.raw(`INSERT INTO "Patient" (id, version_id, last_updated, deleted, content) SELECT id, 1, ?::timestamptz, false, c::jsonb FROM unnest(?::text[], ?::text[]) AS u(id, c)`, [b.now, b.ids, b.patients]);
          await trx.raw(`INSERT INTO "Person" (id, version_id, last_updated, deleted, content) SELECT id, 1, ?::timestamptz, false, c::jsonb FROM unnest(?::text[], ?::text[]) AS u(id, c)`, [b.now, b.personIds, b.persons]);
          await trx.raw(`INSERT INTO linkage_record (patient_id, source, site, tokens, updated_at) SELECT id, 'phi', NULL, t::jsonb, ?::timestamptz FROM unnest(?::text[], ?::text[]) AS u(id, t)`, [b.now, b.ids, b.tokens]);
          await trx.raw(`INSERT INTO mpi_person_link (patient_id, person_id, method, score, linked_at) SELECT id, pid, 'new', NULL, ?::timestamptz FROM unnest(?::text[], ?::text[]) AS u(id, pid)`, [b.now, b.ids, b.personIds]);
          await trx.raw(
            `INSERT INTO linkage_block (block_hash, patient_id)
             SELECT DISTINCT hashtextextended(u.k, 0), i.id FROM unnest(?::text[], ?::int[]) AS u(k, o) JOIN unnest(?::text[]) WITH ORDINALITY AS i(id, o) ON i.o = u.o`,
            [b.keys, b.owners, b.ids],
          );
          if (b.sample.length) await trx(SAMPLE_TABLE).insert(b.sample.map((s) => ({ patient_id: s.id, phi: JSON.stringify(s.phi) })));
        });
        break;
      } catch (err) {
        // "out of shared memory" (53200) can come from other sessions exhausting the shared lock table.
        if ((err as { code?: string }).code !== '53200' || attempt >= 5) throw err;
        await new Promise((res) => setTimeout(res, 2000));
      }
    }
    blockRows += b.blockRows;
    tokenMs += b.tokenMs;
    inserted += b.count;
    if (inserted - lastReport >= 100_000 || inserted === N) {
      lastReport = inserted;
      process.stderr.write(`loaded ${inserted} persons in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    }
  };
  const inflight = new Set<Promise<void>>();
  try {
    for (;;) {
      if (failed) throw failed;
      if (ready.length && inflight.size < CONCURRENCY) {
        const b = ready.shift()!;
        dispatch();
        const p = insertBatch(b).finally(() => inflight.delete(p));
        inflight.add(p);
        continue;
      }
      if (inflight.size === 0 && ready.length === 0 && generated === jobs.length) break;
      await Promise.race([...inflight, new Promise<void>((res) => (wake = res))]);
      wake = undefined;
    }
    await Promise.all(inflight);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const insertS = (performance.now() - t0) / 1000;

  // Recreate keys and indexes (same definitions) in two lanes, biggest first, then VACUUM ANALYZE.
  const t1 = performance.now();
  const builds = [
    ...constraints.map((c) => ({ table: c.tbl, sql: `ALTER TABLE ${c.tbl} ADD CONSTRAINT "${c.name}" ${c.def}` })),
    ...indexes.map((i) => ({ table: i.def.match(/ ON (?:ONLY )?(\S+)/)![1]!, sql: i.def })),
  ];
  const weight = (t: string) => (t.includes('linkage_block') ? 3 : t.includes('Patient') || t.includes('Person') ? 2 : 1);
  builds.sort((a, b) => weight(b.table) - weight(a.table));
  const lanes = [0, 1].map(async () => {
    for (let job = builds.shift(); job; job = builds.shift()) {
      await knex.transaction(async (trx) => {
        await trx.raw(`SET LOCAL maintenance_work_mem = '1GB'`);
        await trx.raw('SET LOCAL max_parallel_maintenance_workers = 0');
        await trx.raw(job.sql);
      });
    }
  });
  await Promise.all(lanes);
  const indexS = (performance.now() - t1) / 1000;
  const t2 = performance.now();
  const toVacuum = [...LOADED_TABLES, SAMPLE_TABLE];
  await Promise.all([0, 1].map(async () => {
    for (let t = toVacuum.shift(); t; t = toVacuum.shift()) await knex.raw('VACUUM ANALYZE ??', [t]);
  }));
  const vacuumS = (performance.now() - t2) / 1000;
  return { blockRows, tokenMs, phases: `insert ${insertS.toFixed(0)} s, keys/indexes ${indexS.toFixed(0)} s, VACUUM ANALYZE ${vacuumS.toFixed(0)} s` };
}

/**
 * Checks the load: row counts; for sampled persons, that stored tokens and blocking-key hashes equal what the
 * server computes from the stored Patient, that the MPI row and golden Person agree; and that corrupted copies of
 * sampled persons find their original through the server's own candidate search and scoring ($match path, read-only).
 */
async function verifyLoad(knex: Knex, N: number, blockRows: number): Promise<void> {
  const { LinkageService } = await import('../src/linkage/server');
  const { ResourceStore } = await import('../src/storage/resource-store');
  const { createSearchEngine } = await import('../src/fhir/search');
  const { PersonDirectory } = await import('../src/mpi/person-directory');
  const key = masterKeyFromSecret(SECRET);
  const problems: string[] = [];
  const counts = (await knex.raw(
    `SELECT (SELECT count(*) FROM "Patient") AS patients, (SELECT count(*) FROM "Person") AS persons, (SELECT count(*) FROM linkage_record) AS records,
       (SELECT count(*) FROM mpi_person_link) AS links, (SELECT count(DISTINCT person_id) FROM mpi_person_link) AS link_persons,
       (SELECT count(*) FROM linkage_block) AS blocks, (SELECT count(*) FROM ${SAMPLE_TABLE}) AS sample`,
  )).rows[0] as Record<string, string>;
  for (const k of ['patients', 'persons', 'records', 'links', 'link_persons']) if (Number(counts[k]) !== N) problems.push(`${k}: ${counts[k]} ≠ ${N}`);
  if (Number(counts.blocks) !== blockRows) problems.push(`linkage_block: ${counts.blocks} rows ≠ ${blockRows} distinct keys generated`);
  if (Number(counts.sample) !== Math.ceil(N / SAMPLE_EVERY)) problems.push(`sample: ${counts.sample} ≠ ${Math.ceil(N / SAMPLE_EVERY)}`);

  const r = rng(SEED + 5);
  const sample = (await knex(SAMPLE_TABLE).select('patient_id', 'phi').orderBy('patient_id')) as Array<{ patient_id: string; phi: PersonPhi }>;
  const picks = Array.from({ length: 200 }, () => sample[Math.floor(r() * sample.length)]!);
  let faithful = 0;
  for (const s of picks) {
    // Recompute from the stored Patient exactly as the server's hook does.
    const stored = ((await knex('Patient').where({ id: s.patient_id }).first('content')) as { content: Patient } | undefined)?.content;
    if (!stored) {
      problems.push(`sampled Patient ${s.patient_id} missing`);
      continue;
    }
    const tokens = computeTokens(normalizePerson(fhirPatientToPersonPhi(stored)), key);
    const keys = blockingKeys(tokens);
    const check = (await knex.raw(
      `SELECT r.tokens = ?::jsonb AS tokens_equal,
         ARRAY(SELECT block_hash FROM linkage_block WHERE patient_id = p.id ORDER BY 1)
           = ARRAY(SELECT DISTINCT hashtextextended(k, 0) FROM unnest(?::text[]) AS k ORDER BY 1) AS blocks_equal,
         pe.content -> 'link' -> 0 -> 'target' ->> 'reference' = 'Patient/' || p.id AS person_links
       FROM "Patient" p JOIN linkage_record r ON r.patient_id = p.id JOIN mpi_person_link m ON m.patient_id = p.id AND m.method = 'new'
       JOIN "Person" pe ON pe.id = m.person_id WHERE p.id = ?`,
      [JSON.stringify(tokens), keys, s.patient_id],
    )).rows[0] as { tokens_equal: boolean; blocks_equal: boolean; person_links: boolean } | undefined;
    if (check?.tokens_equal && check.blocks_equal && check.person_links) faithful++;
    else if (problems.length < 20) problems.push(`Patient ${s.patient_id}: ${JSON.stringify(check ?? 'no linkage_record / MPI row / Person')}`);
  }

  const search = createSearchEngine();
  const store = new ResourceStore(knex, search.indexer);
  const linkage = new LinkageService({ knex, store, persons: new PersonDirectory(knex), key });
  let found = 0;
  let top = 0;
  const SPOT = 50;
  for (let i = 0; i < SPOT; i++) {
    const s = picks[i]!;
    const copy = toPatient(corruptValid(s.phi, r), 'spot');
    const matches = await linkage.match(knex, copy, { count: 10 });
    if (matches.some((m) => m.patient.id === s.patient_id)) found++;
    if (matches[0]?.patient.id === s.patient_id) top++;
  }
  process.stderr.write(
    `verify: counts ${JSON.stringify(counts)}; ${faithful}/${picks.length} sampled persons have exactly the server's tokens, blocking-key hashes, MPI row and golden Person; ` +
      `corrupted copies find their original via $match: ${found}/${SPOT} (best match: ${top}/${SPOT})\n`,
  );
  if (problems.length) throw new Error(`load verification failed:\n${problems.join('\n')}`);
}
