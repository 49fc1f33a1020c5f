/**
 * HTTP throughput of `GET /fhir/Patient?family=<name>` (issue 4: request/s ≥ 50% of a baseline
 * hapi + pg server's bare indexed select, same run, same database), over the data set of
 * bench/search-generate.ts.
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/search-http-bench.ts [seconds=10] [schema=bench_search]
 *
 * Tessera: the real server (`src/main.ts`) on that schema: parsing, search SQL (string prefix on
 * the `family` index rows, default `_lastUpdated` order, 20 per page), searchset Bundle with links.
 * Baseline: a minimal hapi + pg server over a copy of the Patients in a plain table with a btree
 * index on the lower-cased first family name: `SELECT content ... WHERE family LIKE $1 LIMIT 20`,
 * returned as a JSON array (no FHIR semantics, no ordering). Both get 16 connections from
 * autocannon and the same random family names (the 60 of bench/search-data.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { startProcess } from './start-process';
import autocannon from 'autocannon';
import { FAMILIES } from './search-data';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECONDS = Number(process.argv[2] ?? 10);
const SCHEMA = process.argv[3] ?? 'bench_search';
const BASELINE_SCHEMA = `${SCHEMA}_http_baseline`;
const CONNECTIONS = 16;
const PAGE = 20;

if (process.env.SEARCH_BASELINE_SERVER) {
  // the baseline server (a child process of the bench)
  const { default: Hapi } = await import('@hapi/hapi');
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
  const server = Hapi.server({ port: Number(process.env.PORT), host: '127.0.0.1' });
  server.route({
    method: 'GET',
    path: '/fhir/Patient',
    handler: async (request) => {
      const family = String(request.query.family ?? '').toLowerCase();
      const { rows } = await pool.query(`SELECT content FROM "${BASELINE_SCHEMA}".patient WHERE family LIKE $1 LIMIT ${PAGE}`, [`${family}%`]);
      return rows.map((r) => r.content);
    },
  });
  await server.start();
  console.log(`baseline listening on ${server.info.uri}`);
  process.on('SIGTERM', async () => {
    await server.stop();
    await pool.end();
    process.exit(0);
  });
} else {
  await main();
}


/** Runs statements one at a time (VACUUM cannot run inside the implicit transaction of a multi-statement query). */
async function psql(...statements: string[]): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    for (const s of statements) await client.query(s);
  } finally {
    await client.end();
  }
}

async function measure(name: string, base: string) {
  let n = 0;
  const families = FAMILIES.map((f) => encodeURIComponent(f));
  const warm = await autocannon({ url: base, connections: CONNECTIONS, duration: 2, requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/fhir/Patient?family=${families[n++ % families.length]}` }) }] });
  if (warm.non2xx || warm.errors) throw new Error(`${name}: ${warm.non2xx} non-2xx, ${warm.errors} errors during warm-up`);
  const r = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/fhir/Patient?family=${families[Math.floor(Math.random() * families.length)]}` }) }],
  });
  return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.non2xx + r.errors };
}

async function main(): Promise<void> {
  await psql(
    `DROP SCHEMA IF EXISTS "${BASELINE_SCHEMA}" CASCADE`,
    `CREATE SCHEMA "${BASELINE_SCHEMA}"`,
    `CREATE TABLE "${BASELINE_SCHEMA}".patient AS SELECT id, lower(content#>>'{name,0,family}') AS family, content FROM "${SCHEMA}"."Patient" WHERE NOT deleted`,
    `ALTER TABLE "${BASELINE_SCHEMA}".patient ADD PRIMARY KEY (id)`,
    `CREATE INDEX ON "${BASELINE_SCHEMA}".patient (family text_pattern_ops)`,
    `VACUUM ANALYZE "${BASELINE_SCHEMA}".patient`,
  );
  const tessera = await startProcess(['npx', 'tsx', 'src/main.ts'], { DATABASE_URL, DATABASE_SCHEMA: SCHEMA, PORT: '8182', HOST: '127.0.0.1', SEED_DEMO: 'false', LOG_REQUESTS: 'false' }, /FHIR R4 server/);
  const baseline = await startProcess(['npx', 'tsx', 'bench/search-http-bench.ts', String(SECONDS), SCHEMA], { SEARCH_BASELINE_SERVER: '1', DATABASE_URL, PORT: '8191' }, /baseline listening/);
  try {
    const b = await measure('baseline hapi+pg (bare indexed select)', 'http://127.0.0.1:8191');
    const t = await measure('Tessera', 'http://127.0.0.1:8182');
    console.log(`\n| GET /fhir/Patient?family=<name> | req/s | p50 ms | p99 ms | errors |\n|---|---:|---:|---:|---:|`);
    for (const r of [b, t]) console.log(`| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} |`);
    console.log(`\nTessera/baseline: ${Math.round((100 * t.rps) / b.rps)}% (target ≥ 50%); ${CONNECTIONS} connections, ${SECONDS} s each after 2 s warm-up.`);
  } finally {
    // each server runs in its own process group (npx → tsx → node): stop the whole group
    for (const child of [tessera, baseline]) process.kill(-child.pid!, 'SIGTERM');
    await psql(`DROP SCHEMA IF EXISTS "${BASELINE_SCHEMA}" CASCADE`);
  }
}
