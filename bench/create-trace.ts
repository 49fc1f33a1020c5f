/**
 * Where one Patient create's time goes (issue #3): N sequential `POST /fhir/Patient` through the composed server
 * (validation, storage, record linkage, immunization tracking) in-process (`server.inject`), with the statements
 * each create runs and their database time. Not a throughput benchmark (crud-bench.ts is): a profile.
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/create-trace.ts [creates=300]
 * Runs in a fresh schema (dropped at the end); without DATABASE_URL, on in-memory PGlite.
 */
import type { Patient } from 'fhir/r4';
import { createTestDatabase } from '../test/helpers/test-database';
import { createServer } from '../src/server';
import { loadConfig } from '../src/config/load-config';

const N = Number(process.argv[2] ?? 300);
const db = await createTestDatabase();
const { server } = await createServer({ ...loadConfig({}), port: 0, seedDemo: false, logRequests: false }, db, { LINKAGE_SECRET: 'create-trace-secret-0123456789abcdef' });
const FAMILIES = ['Nguyen', 'Okafor', 'Schmidt', 'Haddad', 'Rivera', 'Kowalski', 'Mensah', 'Chen'];
const GIVENS = ['Ada', 'Grace', 'Alan', 'Kofi', 'Maria', 'Wei', 'Anika', 'Ewa', 'Omar', 'Linh'];
/** Mostly distinct people (a few share a family name and town, as in a real clinic). */
function patient(n: number): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ system: 'https://clinic.example/mrn', value: `M${n}` }],
    name: [{ family: `${FAMILIES[n % 8]}${String.fromCharCode(97 + (Math.floor(n / 8) % 26))}`, given: [GIVENS[Math.floor(n / 3) % 10]!] }],
    gender: n % 2 ? 'female' : 'male',
    birthDate: `19${40 + (n % 60)}-0${1 + (n % 9)}-1${n % 9}`,
    address: [{ line: [`${n} Main St`], city: 'Springfield', postalCode: String(3000 + (n % 100)) }],
  };
}
const create = async (n: number) => {
  const r = await server.inject({ method: 'POST', url: '/fhir/Patient', payload: patient(n), headers: { 'content-type': 'application/fhir+json' } });
  if (r.statusCode !== 201) throw new Error(`create answered ${r.statusCode}: ${r.payload.slice(0, 200)}`);
};
for (let i = 0; i < 50; i++) await create(i); // warm-up
const starts = new Map<string, number>();
const byStatement = new Map<string, { ms: number; n: number }>();
let dbMs = 0;
let statements = 0;
db.knex.on('query', (q: { __knexQueryUid: string }) => {
  starts.set(q.__knexQueryUid, performance.now());
  statements++;
});
db.knex.on('query-response', (_r: unknown, q: { __knexQueryUid: string; sql: string }) => {
  const t0 = starts.get(q.__knexQueryUid);
  starts.delete(q.__knexQueryUid);
  if (t0 === undefined) return;
  const ms = performance.now() - t0;
  dbMs += ms;
  const key = q.sql.replace(/\s+/g, ' ').slice(0, 90);
  const e = byStatement.get(key) ?? { ms: 0, n: 0 };
  e.ms += ms;
  e.n++;
  byStatement.set(key, e);
});
const t0 = performance.now();
for (let i = 50; i < 50 + N; i++) await create(i);
const wall = (performance.now() - t0) / N;
console.log(`${N} creates: ${wall.toFixed(2)} ms each, ${(dbMs / N).toFixed(2)} ms in the database, ${(statements / N).toFixed(1)} statements each (BEGIN/COMMIT included)`);
console.log('per create: ms  count  statement');
for (const [k, v] of [...byStatement].sort((a, b) => b[1].ms - a[1].ms)) console.log(`${(v.ms / N).toFixed(2).padStart(6)} ${(v.n / N).toFixed(2).padStart(5)}  ${k}`);
await db.close();
