/**
 * Measures the search engine directly (no HTTP) against the data set of bench/search-generate.ts:
 * p50/p95/max per single-page query shape, each run for a bounded time.
 *   npx tsx bench/search-bench.ts [seconds-per-shape=5] [database-url] [schema=bench_search]
 */
import { createDatabase } from '../src/storage/create-database';
import { createSearchEngine } from '../src/fhir/search';
import { CITIES, FAMILIES, LOINC, MEDS, MRN_SYSTEM, RESOURCES_PER_PATIENT, rng, VACCINES } from './search-data';

const seconds = Number(process.argv[2] ?? 5);
const url = process.argv[3] ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = process.argv[4] ?? 'bench_search';
const BASE = 'http://localhost:8080/fhir';

async function main(): Promise<void> {
  const db = await createDatabase({ url, schema, poolMax: 2 });
  const engine = createSearchEngine();
  const [{ n }] = (await db.knex.raw('SELECT count(*)::int AS n FROM "Patient"')).rows as Array<{ n: number }>;
  const total = (await db.knex.raw(`SELECT (SELECT count(*) FROM "Patient") + (SELECT count(*) FROM "Observation") + (SELECT count(*) FROM "Immunization") + (SELECT count(*) FROM "Encounter") + (SELECT count(*) FROM "MedicationRequest") AS t`)).rows[0].t;
  console.log(`data set: ${total} resources, ${n} patients (${RESOURCES_PER_PATIENT} resources each)`);
  const r = rng(42);
  const pat = () => `pat-${Math.floor(r() * n)}`;
  const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)];
  const year = () => 2015 + Math.floor(r() * 10);
  const shapes: Array<[string, string, () => string]> = [
    ['Patient', 'name (string prefix)', () => `name=${pick(FAMILIES).slice(0, 4)}`],
    ['Patient', 'family:exact + gender', () => `family:exact=${pick(FAMILIES)}&gender=female`],
    ['Patient', 'name:contains', () => `name:contains=${pick(FAMILIES).slice(1, 5).toLowerCase()}`],
    ['Patient', 'identifier (token)', () => `identifier=${MRN_SYSTEM}|MRN${String(Math.floor(r() * n)).padStart(8, '0')}`],
    ['Patient', 'birthdate (day)', () => `birthdate=${1930 + Math.floor(r() * 90)}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`],
    ['Patient', 'address-city + birthdate=ge', () => `address-city=${pick(CITIES)}&birthdate=ge2010-01-01`],
    ['Patient', 'no criteria (first page)', () => `_count=20`],
    ['Observation', 'subject (reference)', () => `subject=Patient/${pat()}`],
    ['Observation', 'subject + code, _sort=-date', () => `subject=Patient/${pat()}&code=http://loinc.org|${pick(LOINC)[0]}&_sort=-date`],
    ['Observation', 'code + date range (1 week)', () => {
      const y = year();
      return `code=http://loinc.org|${pick(LOINC)[0]}&date=ge${y}-03-01&date=lt${y}-03-08`;
    }],
    ['Observation', 'value-quantity (UCUM)', () => `code=http://loinc.org|29463-7&value-quantity=gt${90 + Math.floor(r() * 5)}|http://unitsofmeasure.org|kg`],
    ['Observation', 'chain subject:Patient.identifier', () => `subject:Patient.identifier=${MRN_SYSTEM}|MRN${String(Math.floor(r() * n)).padStart(8, '0')}`],
    ['Immunization', 'patient + vaccine-code', () => `patient=Patient/${pat()}&vaccine-code=http://hl7.org/fhir/sid/cvx|${pick(VACCINES)[0]}`],
    ['Immunization', 'date (month) _sort=date', () => `date=${year()}-0${1 + Math.floor(r() * 9)}&_sort=date`],
    ['Encounter', 'subject + _revinclude Observation', () => `subject=Patient/${pat()}&_revinclude=Observation:encounter`],
    ['MedicationRequest', 'patient + _include patient', () => `patient=Patient/${pat()}&_include=MedicationRequest:patient`],
    ['MedicationRequest', 'code + status', () => `code=http://www.nlm.nih.gov/research/umls/rxnorm|${pick(MEDS)[0]}&status=active`],
    ['Patient', '_has:Observation:subject:code (rare)', () => `_has:Observation:subject:code=http://loinc.org|${pick(LOINC)[0]}&family:exact=${pick(FAMILIES)}&birthdate=${1930 + Math.floor(r() * 90)}`],
    ['Patient', '_text', () => `_text=patient ${Math.floor(r() * n)}`],
  ];
  const results: Array<{ type: string; name: string; count: number; p50: number; p95: number; max: number; avgHits: number }> = [];
  for (const [type, name, make] of shapes) {
    // warm up
    for (let i = 0; i < 3; i++) await engine.search(db.knex, { resourceType: type, params: [...new URLSearchParams(make())], baseUrl: BASE, strict: true });
    const times: number[] = [];
    let hits = 0;
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end && times.length < 2000) {
      const params = [...new URLSearchParams(make())] as Array<[string, string]>;
      const t = performance.now();
      const b = await engine.search(db.knex, { resourceType: type, params, baseUrl: BASE, strict: true });
      times.push(performance.now() - t);
      hits += b.entry?.length ?? 0;
    }
    times.sort((a, b) => a - b);
    const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
    const row = { type, name, count: times.length, p50: q(0.5), p95: q(0.95), max: times[times.length - 1], avgHits: hits / times.length };
    results.push(row);
    console.log(`${type.padEnd(18)} ${name.padEnd(40)} n=${String(row.count).padStart(5)} p50=${row.p50.toFixed(1).padStart(7)} ms p95=${row.p95.toFixed(1).padStart(7)} ms max=${row.max.toFixed(1).padStart(7)} ms entries/page=${row.avgHits.toFixed(1)}`);
  }
  console.log('\n| Query | runs | p50 ms | p95 ms | max ms | entries/page |\n|---|---:|---:|---:|---:|---:|');
  for (const x of results) console.log(`| ${x.type}?${x.name} | ${x.count} | ${x.p50.toFixed(1)} | ${x.p95.toFixed(1)} | ${x.max.toFixed(1)} | ${x.avgHits.toFixed(1)} |`);
  await db.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
