/**
 * CRUD benchmark (issue #3): Tessera's create and read of a ~600-byte Patient against the
 * baseline hapi + pg server, both on the same real Postgres, in the same run, on loopback only.
 * Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/crud-bench.ts [seconds] [--read-only]
 * Order: baseline create, Tessera create (each then seeds 200 ids), wait for autovacuum to finish,
 * then read rounds baseline, Tessera, Tessera, baseline. RSS is Tessera's after all of it. Each run
 * starts from empty bench_crud / bench_baseline schemas and drops them at the end.
 * `--read-only` skips the create phases (for iterating on the read path; record full runs only).
 * Prints a Markdown table; append it to bench/RESULTS.md.
 */
import type { ChildProcess } from 'node:child_process';
import { startProcess } from './start-process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import pg from 'pg';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const args = process.argv.slice(2);
const READ_ONLY = args.includes('--read-only');
const SECONDS = Number(args.find((a) => !a.startsWith('--')) ?? 10);
const CONNECTIONS = 16;

const patient = JSON.stringify({
  resourceType: 'Patient',
  identifier: [{ system: 'https://clinic-a.example/mrn', value: 'MRN-0001' }],
  active: true,
  name: [{ use: 'official', family: 'Benchmark', given: ['Patricia', 'Q'] }],
  telecom: [{ system: 'phone', value: '+1-555-0100', use: 'home' }, { system: 'email', value: 'pq@example.org' }],
  gender: 'female',
  birthDate: '1974-12-25',
  address: [{ use: 'home', line: ['534 Erewhon St'], city: 'PleasantVille', state: 'Vic', postalCode: '3999', country: 'AU' }],
  contact: [{ relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0131', code: 'N' }] }], name: { family: 'Benchmark', given: ['Bénédicte'] } }],
});


/** Current and peak (high-water mark) resident memory of a process, in MB. */
function rssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/**
 * Waits (at most 60 s) until no autovacuum worker is busy on the database, so the read rounds
 * measure reads rather than the clean-up of the create phases (heavier after Tessera's creates:
 * history and ~30 search-index rows each, two GIN indexes). Once, before the reads of both
 * servers; the wait is reported.
 */
async function settle(): Promise<number> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  const t0 = Date.now();
  try {
    while (Date.now() - t0 < 60_000) {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' AND datname = current_database()`);
      if (rows[0].n === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await client.end();
  }
  return (Date.now() - t0) / 1000;
}

async function createIds(base: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${base}/Patient`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: distinctPatient() });
    ids.push(((await res.json()) as { id: string }).id);
  }
  return ids;
}

/** A distinct ~600-byte person per request (identical copies would all be one person to record linkage). */
const FAMILIES = ['Nguyen', 'Okafor', 'Schmidt', 'Haddad', 'Rivera', 'Kowalski', 'Mensah', 'Chen', 'Patel', 'Johansson', 'Dubois', 'Tanaka'];
const GIVENS = ['Ada', 'Grace', 'Alan', 'Kofi', 'Maria', 'Wei', 'Anika', 'Ewa', 'Omar', 'Linh', 'Chidi', 'Anna'];
let seq = 0;
function distinctPatient(): string {
  const n = seq++;
  const p = JSON.parse(patient) as Record<string, any>;
  p.identifier[0].value = `MRN-${process.pid}-${n}`;
  p.name[0].family = `${FAMILIES[n % 12]}${String.fromCharCode(97 + (Math.floor(n / 12) % 26))}${String.fromCharCode(97 + (Math.floor(n / 312) % 26))}`;
  p.name[0].given = [GIVENS[Math.floor(n / 7) % 12], 'Q'];
  p.birthDate = `19${40 + (n % 60)}-${String(1 + (n % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`;
  p.address[0].line = [`${n % 997} Erewhon St`];
  return JSON.stringify(p);
}

interface Server {
  name: string;
  base: string;
  ids: string[];
  create?: autocannon.Result;
  reads: autocannon.Result[];
}

async function createPhase(server: Server): Promise<void> {
  if (!READ_ONLY) {
    server.create = await autocannon({
      url: server.base,
      connections: CONNECTIONS,
      duration: SECONDS,
      requests: [{ method: 'POST', path: '/fhir/Patient', headers: { 'content-type': 'application/fhir+json' }, setupRequest: (req) => ({ ...req, body: distinctPatient() }) }],
    });
  }
  server.ids = await createIds(server.base, 200);
}

async function readRound(server: Server, seconds: number): Promise<void> {
  let i = 0;
  server.reads.push(await autocannon({
    url: server.base,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/fhir/Patient/${server.ids[i++ % server.ids.length]}` }) }],
  }));
}

function summary(server: Server) {
  const { create, reads } = server;
  const readRequests = reads.reduce((n, r) => n + r.requests.total, 0);
  const readSeconds = reads.reduce((n, r) => n + r.duration, 0);
  const errors = (create ? create.non2xx + create.errors : 0) + reads.reduce((n, r) => n + r.non2xx + r.errors, 0);
  return {
    name: server.name,
    createRps: create?.requests.average ?? NaN,
    createP99: create?.latency.p99 ?? NaN,
    readRps: readRequests / readSeconds,
    readP99: Math.max(...reads.map((r) => r.latency.p99)),
    errors,
  };
}

/** npx → node tsx → node: the process that actually serves (the deepest node child). */
function findPid(child: ChildProcess): number {
  let pid = child.pid!;
  let kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  while (kids.length) {
    pid = Number(kids[kids.length - 1]);
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  }
  return pid;
}

/** Each run starts from empty schemas (record linkage's work per create grows with the Patients already stored) and leaves none behind. */
async function dropSchemas(): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query('DROP SCHEMA IF EXISTS bench_crud CASCADE');
    await client.query('DROP SCHEMA IF EXISTS bench_baseline CASCADE');
  } finally {
    await client.end();
  }
}

await dropSchemas();
const tessera = await startProcess(['npx', 'tsx', 'src/main.ts'], { DATABASE_URL, DATABASE_SCHEMA: 'bench_crud', PORT: '8181', HOST: '127.0.0.1', SEED_DEMO: 'false', LOG_REQUESTS: 'false' }, /FHIR R4 server/);
const baseline = await startProcess(['npx', 'tsx', 'bench/baseline-server.ts'], { DATABASE_URL, PORT: '8190' }, /baseline listening/);
try {
  const b: Server = { name: 'baseline hapi+pg', base: 'http://127.0.0.1:8190/fhir', ids: [], reads: [] };
  const t: Server = { name: 'Tessera', base: 'http://127.0.0.1:8181/fhir', ids: [], reads: [] };
  await createPhase(b);
  await createPhase(t);
  const settled = await settle();
  const load = loadavg()[0];
  // Reads in ABBA order (half a phase each), so drift in what else the shared machine is doing
  // falls on both servers alike; each server still reads for SECONDS in total.
  for (const server of [b, t, t, b]) await readRound(server, SECONDS / 2);
  const rows = [{ ...summary(b), ...rssMb(findPid(baseline)) }, { ...summary(t), ...rssMb(findPid(tessera)) }];
  const pct = (x: number, y: number) => `${Math.round((100 * x) / y)}%`;
  console.log(`\n| server | create req/s | create p99 ms | read req/s | read p99 ms | RSS MB | peak RSS MB | errors |\n|---|---|---|---|---|---|---|---|`);
  for (const r of rows) console.log(`| ${r.name} | ${r.createRps.toFixed(0)} | ${r.createP99} | ${r.readRps.toFixed(0)} | ${r.readP99} | ${r.rss.toFixed(0)} | ${r.peak.toFixed(0)} | ${r.errors} |`);
  const [rb, rt] = rows;
  console.log(`\nTessera/baseline: create ${READ_ONLY ? 'not run' : pct(rt.createRps, rb.createRps)} (target ≥ 50%), read ${pct(rt.readRps, rb.readRps)} (target ≥ 70%); ${CONNECTIONS} connections, ${SECONDS} s per phase (reads in ABBA halves), ${settled.toFixed(1)} s waited for autovacuum before the reads, load average ${load.toFixed(1)} at the first read.`);
} finally {
  // Each server runs in its own process group (npx → tsx → node): stop the whole group.
  for (const child of [tessera, baseline]) process.kill(-child.pid!, 'SIGTERM');
  const exited = (child: ChildProcess) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
  await Promise.race([Promise.all([tessera, baseline].map(exited)), new Promise((resolve) => setTimeout(resolve, 15_000))]);
  await dropSchemas();
}
