/**
 * Record linkage in the server, on real Postgres: bulk-loads N persons (Patient rows, tokens, blocking keys, MPI rows),
 * then times Patient creates through ResourceStore with the linkage hook (half corrupted copies of loaded persons,
 * half new people) against the same creates without hooks, and checks the links.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/linkage-server-bench.ts [persons=200000] [creates=1000]
 *
 * Uses its own schema (dropped at the end). The bulk load skips history and search-index rows (not used by linkage).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Patient } from 'fhir/r4';
import { createDatabase } from '../src/storage/create-database';
import { runMigrations } from '../src/storage/run-migrations';
import { ResourceStore } from '../src/storage/resource-store';
import { createSearchEngine } from '../src/fhir/search';
import { PersonDirectory } from '../src/mpi/person-directory';
import { LinkageService } from '../src/linkage/server';
import { blockingKeys, computeTokens, fhirPatientToPersonPhi, masterKeyFromSecret, normalizePerson } from '../src/linkage';
import type { PersonPhi } from '../src/linkage/person';
import { corrupt, rng } from './linkage-data';
import { readFileSync } from 'node:fs';

const N = Number(process.argv[2] ?? 200_000);
const CREATES = Number(process.argv[3] ?? 1000);
const url = process.env.DATABASE_URL;
if (!url?.startsWith('postgres')) {
  console.error('set DATABASE_URL to a Postgres server (this benchmark is about real Postgres)');
  process.exit(2);
}

const r = rng(20261123);
const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
const givenNames = [...new Set(readFileSync(new URL('../seeds/linkage/nicknames_names.csv', import.meta.url), 'utf8').split('\n').slice(1).map((l) => l.split(',')[0]!).filter((n) => /^[a-z]{3,}$/.test(n)))];
const SYL = ['an', 'ber', 'cas', 'dor', 'el', 'fin', 'gar', 'hol', 'is', 'jan', 'kov', 'lam', 'mor', 'nes', 'ol', 'per', 'quin', 'ros', 'sen', 'tal', 'ur', 'van', 'wes', 'yor', 'zel', 'son', 'ley', 'ton', 'ski', 'ez'];
const word = (n: number) => Array.from({ length: n }, () => pick(SYL)).join('');
const families = Array.from({ length: 40_000 }, () => word(2 + Math.floor(r() * 2)));
const streets = Array.from({ length: 5000 }, () => `${word(2)} ${pick(['street', 'road', 'avenue', 'crescent', 'place'])}`);
const suburbs = Array.from({ length: 3000 }, () => word(2));
const STATES = ['nsw', 'vic', 'qld', 'wa', 'sa', 'tas', 'act', 'nt'];
const pad = (n: number, w: number) => String(n).padStart(w, '0');

function newPerson(): PersonPhi {
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

function corruptValid(p: PersonPhi): PersonPhi {
  for (;;) {
    const q = corrupt(p, r);
    if (!q.birthDate || validDate(q.birthDate)) return q;
  }
}

const schema = `bench_linkage_${Date.now().toString(36)}`;
const db = await createDatabase({ url, schema, poolMax: 4 });
const knex = db.knex;
try {
  await runMigrations(db);
  const key = masterKeyFromSecret('linkage-server-bench-secret-0123456789');
  const loaded: Array<{ id: string; phi: PersonPhi }> = [];
  const t0 = performance.now();
  let tokenMs = 0;
  const BATCH = 5000;
  for (let start = 0; start < N; start += BATCH) {
    const patients: unknown[] = [];
    const records: unknown[] = [];
    const links: unknown[] = [];
    const bIds: string[] = [];
    const bKeys: string[] = [];
    const now = new Date().toISOString();
    for (let i = start; i < Math.min(N, start + BATCH); i++) {
      const phi = newPerson();
      const id = randomUUID();
      const content = { ...toPatient(phi, 'load'), id, meta: { versionId: '1', lastUpdated: now } };
      const ts = performance.now();
      const tokens = computeTokens(normalizePerson(fhirPatientToPersonPhi(content)), key);
      const keys = blockingKeys(tokens);
      tokenMs += performance.now() - ts;
      patients.push({ id, version_id: 1, last_updated: now, deleted: false, content });
      records.push({ patient_id: id, source: 'phi', site: null, tokens, updated_at: now });
      links.push({ patient_id: id, person_id: randomUUID(), method: 'new', score: null, linked_at: now });
      for (const k of keys) {
        bIds.push(id);
        bKeys.push(k);
      }
      if (loaded.length < 200_000) loaded.push({ id, phi });
      else if (r() < 0.01) loaded[Math.floor(r() * loaded.length)] = { id, phi };
    }
    // Retried: "out of shared memory" (53200) can come from other sessions exhausting the shared lock table.
    for (let attempt = 1; ; attempt++) {
      try {
    await knex.transaction(async (trx) => {
      await trx.raw(`INSERT INTO "Patient" SELECT * FROM jsonb_populate_recordset(NULL::"Patient", ?::jsonb)`, [JSON.stringify(patients)]);
      await trx.raw(`INSERT INTO linkage_record SELECT * FROM jsonb_populate_recordset(NULL::linkage_record, ?::jsonb)`, [JSON.stringify(records)]);
      await trx.raw(`INSERT INTO mpi_person_link SELECT * FROM jsonb_populate_recordset(NULL::mpi_person_link, ?::jsonb)`, [JSON.stringify(links)]);
      await trx.raw(`INSERT INTO linkage_block (block_key, patient_id) SELECT k, p FROM unnest(?::text[], ?::text[]) AS u(k, p) ON CONFLICT DO NOTHING`, [bKeys, bIds]);
    });
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== '53200' || attempt >= 5) throw err;
        await new Promise((res) => setTimeout(res, 2000));
      }
    }
    if ((start / BATCH) % 20 === 0) process.stderr.write(`loaded ${Math.min(N, start + BATCH)} persons in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  }
  // Steady state of an insert-only table: autovacuum (PG 13+ insert threshold) sets the visibility map, which lets
  // the candidate lookup use index-only scans instead of one heap fetch per block entry.
  for (const t of ['Patient', 'linkage_record', 'linkage_block', 'mpi_person_link']) await knex.raw('VACUUM ANALYZE ??', [t]);
  const loadS = (performance.now() - t0) / 1000;
  const blocks = Number(((await knex('linkage_block').count('* as n')) as Array<{ n: string }>)[0]!.n);
  process.stderr.write(`bulk load: ${N} persons, ${blocks} blocking rows in ${loadS.toFixed(0)} s (tokens ${(tokenMs / 1000).toFixed(1)} s)\n`);

  const search = createSearchEngine();
  const plain = new ResourceStore(knex, search.indexer);
  const store = new ResourceStore(knex, search.indexer);
  const persons = new PersonDirectory(knex);
  const linkage = new LinkageService({ knex, store, persons, key });
  linkage.install();

  // Warm-up (JIT, connection pool, plan cache).
  for (let i = 0; i < 50; i++) await store.create(undefined, toPatient(newPerson(), 'warm'));

  const baseline: number[] = [];
  for (let i = 0; i < Math.min(300, CREATES); i++) {
    const s = performance.now();
    await plain.create(undefined, toPatient(newPerson(), 'plain'));
    baseline.push(performance.now() - s);
  }

  // LINKAGE_BENCH_TRACE=1: time per SQL statement shape during the measured creates.
  const trace = new Map<string, { n: number; ms: number }>();
  const started = new Map<string, number>();
  if (process.env.LINKAGE_BENCH_TRACE) {
    knex.on('query', (q: { __knexQueryUid: string }) => started.set(q.__knexQueryUid, performance.now()));
    knex.on('query-response', (_r: unknown, q: { __knexQueryUid: string; sql: string }) => {
      const k = q.sql.replace(/\s+/g, ' ').slice(0, 90);
      const e = trace.get(k) ?? { n: 0, ms: 0 };
      e.n++;
      e.ms += performance.now() - (started.get(q.__knexQueryUid) ?? performance.now());
      trace.set(k, e);
    });
  }
  const timings: number[] = [];
  let dupLinked = 0;
  let dups = 0;
  let freshAlone = 0;
  let fresh = 0;
  for (let i = 0; i < CREATES; i++) {
    const isDup = i % 2 === 0;
    const orig = isDup ? loaded[Math.floor(r() * loaded.length)]! : undefined;
    const phi = orig ? corruptValid(orig.phi) : newPerson();
    const s = performance.now();
    const v = await store.create(undefined, toPatient(phi, 'bench'));
    timings.push(performance.now() - s);
    const person = await persons.personOf(undefined, v.id);
    if (orig) {
      dups++;
      if (person && person === (await persons.personOf(undefined, orig.id))) dupLinked++;
    } else {
      fresh++;
      if (person && (await persons.membersOf(undefined, person)).length === 1) freshAlone++;
    }
  }
  if (trace.size) for (const [k, v] of [...trace].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) console.error(`${(v.ms / v.n).toFixed(2).padStart(7)} ms x${v.n} ${k}`);
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
    return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, p50: q(0.5), p95: q(0.95), p99: q(0.99) };
  };
  const withHook = stats(timings);
  const plainStats = stats(baseline);
  const f = (x: number) => x.toFixed(2);
  console.log(`persons loaded: ${N}; blocking rows: ${blocks}; bulk load ${loadS.toFixed(0)} s`);
  console.log(`| Patient create | n | mean ms | p50 ms | p95 ms | p99 ms |`);
  console.log(`|---|---|---|---|---|---|`);
  console.log(`| without hooks (storage only) | ${baseline.length} | ${f(plainStats.mean)} | ${f(plainStats.p50)} | ${f(plainStats.p95)} | ${f(plainStats.p99)} |`);
  console.log(`| with linkage (tokens, lock, candidates, scoring, MPI, golden Person, audit) | ${timings.length} | ${f(withHook.mean)} | ${f(withHook.p50)} | ${f(withHook.p95)} | ${f(withHook.p99)} |`);
  console.log(`| linkage share (mean difference) | | ${f(withHook.mean - plainStats.mean)} | | | |`);
  console.log(`corrupted copies linked to their original's person: ${dupLinked}/${dups} (${((100 * dupLinked) / dups).toFixed(1)} %)`);
  console.log(`new people left in a person of their own: ${freshAlone}/${fresh} (${((100 * freshAlone) / fresh).toFixed(1)} %)`);
} finally {
  if (process.env.LINKAGE_BENCH_KEEP) console.error(`kept schema ${schema}`);
  else await knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
  await db.close();
}
