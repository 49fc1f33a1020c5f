/**
 * Loads a deterministic Synthea-like data set into a real Postgres schema for the search bench.
 *   npx tsx bench/search-generate.ts [resources=200000] [database-url] [schema=bench_search]
 * Each resource's content and index rows are produced by the real search indexer and written with
 * batched multi-row INSERT ... SELECT FROM jsonb_populate_recordset (same row shape as the store).
 * History rows are not written (the bench does not read them).
 */
import type { Resource } from 'fhir/r4';
import { createDatabase } from '../src/storage/create-database';
import { runMigrations } from '../src/storage/run-migrations';
import { createIndexer } from '../src/fhir/search/indexer';
import { patientBundle, RESOURCES_PER_PATIENT } from './search-data';

const total = Number(process.argv[2] ?? 200_000);
const url = process.argv[3] ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = process.argv[4] ?? 'bench_search';
const BATCH_PATIENTS = 200;

async function main(): Promise<void> {
  const t0 = Date.now();
  const admin = await createDatabase({ url, schema: 'public' });
  await admin.knex.raw(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.close();
  const db = await createDatabase({ url, schema, poolMax: 3 });
  await runMigrations(db);
  const indexer = createIndexer();
  const patients = Math.max(1, Math.round(total / RESOURCES_PER_PATIENT));
  const base = Date.parse('2025-01-01T00:00:00Z');
  let written = 0;
  const inflight: Array<Promise<unknown>> = [];
  for (let start = 0; start < patients; start += BATCH_PATIENTS) {
    const content = new Map<string, Array<Record<string, unknown>>>();
    const index: Record<string, Array<Record<string, unknown>>> = {};
    for (let n = start; n < Math.min(patients, start + BATCH_PATIENTS); n++) {
      for (const r of patientBundle(n)) {
        const lastUpdated = new Date(base + written * 10).toISOString();
        const res = { ...r, meta: { versionId: '1', lastUpdated } } as Resource;
        if (!content.has(r.resourceType)) content.set(r.resourceType, []);
        content.get(r.resourceType)!.push({ id: r.id, version_id: 1, last_updated: lastUpdated, deleted: false, content: res });
        for (const [table, rows] of Object.entries(indexer.extract(res))) {
          const list = (index[table] ??= []);
          for (const row of rows) list.push({ ...row, resource_type: r.resourceType, resource_id: r.id });
        }
        written++;
      }
    }
    const statements: Array<[string, string]> = [];
    for (const [type, rows] of content) statements.push([`"${type}"`, JSON.stringify(rows)]);
    for (const [table, rows] of Object.entries(index)) if (rows.length) statements.push([table, JSON.stringify(rows)]);
    const batch = Promise.all(
      statements.map(([table, json]) => {
        const cols = Object.keys(JSON.parse(json)[0]).map((c) => `"${c}"`);
        // union of keys across rows: index rows vary in which optional columns they carry
        const all = new Set<string>();
        for (const row of JSON.parse(json) as Array<Record<string, unknown>>) for (const k of Object.keys(row)) all.add(`"${k}"`);
        const list = [...new Set([...cols, ...all])].join(', ');
        return db.knex.raw(`INSERT INTO ${table} (${list}) SELECT ${list} FROM jsonb_populate_recordset(NULL::${table}, ?::jsonb)`, [json]);
      }),
    );
    inflight.push(batch);
    if (inflight.length >= 2) await inflight.shift();
    if ((start / BATCH_PATIENTS) % 25 === 0) console.log(`${written} resources, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  await Promise.all(inflight);
  console.log('VACUUM ANALYZE ...'); // visibility map for index-only scans, as autovacuum would
  for (const t of ['sp_string', 'sp_token', 'sp_date', 'sp_number', 'sp_quantity', 'sp_reference', 'sp_uri', 'sp_text', 'sp_geo', 'Patient', 'Observation', 'Immunization', 'Encounter', 'MedicationRequest']) {
    await db.knex.raw(`VACUUM ANALYZE "${t}"`);
  }
  console.log(`done: ${written} resources (${patients} patients) in schema ${schema}, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  await db.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
