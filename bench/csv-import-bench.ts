/**
 * Clinic CSV report import (issue #7): rows/s of `POST /api/clinics/{id}/reports` for a file of new patients
 * (N/2 patients × 2 doses), then the same file again (idempotent: every row unchanged), against the real server on
 * real Postgres in a fresh schema, with a per-statement trace of the database time of the first import.
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/csv-import-bench.ts [rows=5000]
 * Loopback only; the schema is dropped at the end.
 */
import { startTestServer } from '../test/helpers/test-server';
import { seededRandom as rng } from '../src/shared/seeded-random';

if (!process.env.DATABASE_URL?.startsWith('postgres')) {
  console.error('set DATABASE_URL to a Postgres server');
  process.exit(2);
}
process.env.LINKAGE_SECRET ??= 'csv-import-bench-secret-0123456789';
const N = Number(process.argv[2] ?? 5000);
const t = await startTestServer({ reportConcurrency: Number(process.env.REPORT_CONCURRENCY ?? 2) });
const letters = 'bcdfghjklmnprstvwxyz';
const DAY = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const lines = ['record_id,patient_id,family,given,sex,birth_date,vaccine,date,provider,postcode'];
for (let i = 0; i < N; i++) {
  const p = Math.floor(i / 2);
  const pr = rng(p + 1);
  const fam = Array.from({ length: 4 }, () => letters[Math.floor(pr() * 20)]! + 'aeiou'[Math.floor(pr() * 5)]!).join('');
  const given = Array.from({ length: 3 }, () => letters[Math.floor(pr() * 20)]! + 'aeiou'[Math.floor(pr() * 5)]!).join('');
  lines.push(`R${i},P${p},${fam},${given},${pr() < 0.5 ? 'female' : 'male'},${dayOf(Date.UTC(1940, 0, 1) + Math.floor(pr() * 60 * 365) * DAY)},208,${i % 2 ? '2021-04-01' : '2021-03-01'},Nurse,${3000 + Math.floor(pr() * 900)}`);
}
const csv = lines.join('\n');
const starts = new Map<string, number>();
const timeBy = new Map<string, { ms: number; n: number }>();
let tracing = true;
t.db.knex.on('query', (q: { __knexQueryUid: string }) => starts.set(q.__knexQueryUid, performance.now()));
t.db.knex.on('query-response', (_r: unknown, q: { __knexQueryUid: string; sql: string }) => {
  const s0 = starts.get(q.__knexQueryUid);
  starts.delete(q.__knexQueryUid);
  if (s0 === undefined || !tracing) return;
  const k = q.sql.replace(/\s+/g, ' ').slice(0, 90);
  const e = timeBy.get(k) ?? { ms: 0, n: 0 };
  e.ms += performance.now() - s0;
  e.n++;
  timeBy.set(k, e);
});
const api = t.baseUrl.replace(/\/fhir$/, '/api');
console.log(`| import (${N.toLocaleString('en-US')} rows) | seconds | rows/s | created | unchanged | rejected |\n|---|---:|---:|---:|---:|---:|`);
for (const round of ['first import (new patients)', 'same file again']) {
  const s = performance.now();
  const res = await fetch(`${api}/clinics/bench-clinic/reports`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
  const body = (await res.json()) as { created: number; unchanged: number; rejected: number };
  const secs = (performance.now() - s) / 1000;
  if (res.status !== 200) throw new Error(`import answered ${res.status}`);
  console.log(`| ${round} | ${secs.toFixed(1)} | ${Math.round(N / secs)} | ${body.created} | ${body.unchanged} | ${body.rejected} |`);
  tracing = false;
}
console.log('\nDatabase time of the first import by statement (ms, count):');
for (const [k, v] of [...timeBy].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) console.log(`  ${v.ms.toFixed(0).padStart(7)} ${String(v.n).padStart(6)}  ${k}`);
await t.stop();
