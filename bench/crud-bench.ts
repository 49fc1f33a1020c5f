/**
 * CRUD benchmark (issue #3): Tessera's create and read of a ~600-byte Patient against the
 * baseline hapi + pg server, both on the same real Postgres, in the same run, on loopback only.
 * Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/crud-bench.ts [seconds]
 * Prints a Markdown table; append it to bench/RESULTS.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECONDS = Number(process.argv[2] ?? 10);
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

function start(cmd: string[], env: Record<string, string>, ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0], cmd.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    const timer = setTimeout(() => reject(new Error(`${cmd.join(' ')} did not start`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (ready.test(d.toString())) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`${cmd.join(' ')} exited with ${code}`)));
  });
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
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

async function run(name: string, base: string, pid: number) {
  const create = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [{ method: 'POST', path: '/fhir/Patient', headers: { 'content-type': 'application/fhir+json' }, setupRequest: (req) => ({ ...req, body: distinctPatient() }) }],
  });
  const ids = await createIds(base, 200);
  let i = 0;
  const read = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/fhir/Patient/${ids[i++ % ids.length]}` }) }],
  });
  const errors = create.non2xx + create.errors + read.non2xx + read.errors;
  return { name, createRps: create.requests.average, createP99: create.latency.p99, readRps: read.requests.average, readP99: read.latency.p99, rss: rssMb(pid), errors };
}

const tessera = await start(['npx', 'tsx', 'src/main.ts'], { DATABASE_URL, DATABASE_SCHEMA: 'bench_crud', PORT: '8181', HOST: '127.0.0.1', SEED_DEMO: 'false', LOG_REQUESTS: 'false' }, /FHIR R4 server/);
const baseline = await start(['npx', 'tsx', 'bench/baseline-server.ts'], { DATABASE_URL, PORT: '8190' }, /baseline listening/);
try {
  const findPid = (child: ChildProcess) => {
    // npx → node tsx → node: measure the process that actually serves (the deepest node child).
    const out = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    let pid = child.pid!;
    let kids = out;
    while (kids.length) {
      pid = Number(kids[kids.length - 1]);
      kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    }
    return pid;
  };
  const b = await run('baseline hapi+pg', 'http://127.0.0.1:8190/fhir', findPid(baseline));
  const t = await run('Tessera', 'http://127.0.0.1:8181/fhir', findPid(tessera));
  const pct = (x: number, y: number) => `${Math.round((100 * x) / y)}%`;
  console.log(`\n| server | create req/s | create p99 ms | read req/s | read p99 ms | RSS MB | errors |\n|---|---|---|---|---|---|---|`);
  for (const r of [b, t]) console.log(`| ${r.name} | ${r.createRps.toFixed(0)} | ${r.createP99} | ${r.readRps.toFixed(0)} | ${r.readP99} | ${r.rss.toFixed(0)} | ${r.errors} |`);
  console.log(`\nTessera/baseline: create ${pct(t.createRps, b.createRps)} (target ≥ 50%), read ${pct(t.readRps, b.readRps)} (target ≥ 70%); ${CONNECTIONS} connections, ${SECONDS}s per phase.`);
} finally {
  // Each server runs in its own process group (npx → tsx → node): stop the whole group.
  for (const child of [tessera, baseline]) process.kill(-child.pid!, 'SIGTERM');
}
