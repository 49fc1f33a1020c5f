/**
 * The baseline for the CRUD benchmark: a minimal hapi + pg server doing a bare INSERT/SELECT of
 * the same JSON on the same database, with no FHIR semantics. Tessera is measured against it in
 * the same run. Env: PORT, DATABASE_URL.
 */
import Hapi from '@hapi/hapi';
import pg from 'pg';
import { randomUUID } from 'node:crypto';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
await pool.query('CREATE SCHEMA IF NOT EXISTS bench_baseline');
await pool.query('CREATE TABLE IF NOT EXISTS bench_baseline.patient (id text PRIMARY KEY, content jsonb NOT NULL)');

const server = Hapi.server({ port: Number(process.env.PORT ?? 8090), host: '127.0.0.1' });
server.route({
  method: 'POST',
  path: '/fhir/Patient',
  handler: async (request, h) => {
    const id = randomUUID();
    const body = { ...(request.payload as object), id };
    await pool.query('INSERT INTO bench_baseline.patient (id, content) VALUES ($1, $2)', [id, body]);
    return h.response(body).code(201);
  },
});
server.route({
  method: 'GET',
  path: '/fhir/Patient/{id}',
  handler: async (request, h) => {
    const { rows } = await pool.query('SELECT content FROM bench_baseline.patient WHERE id = $1', [request.params.id]);
    return rows.length ? rows[0].content : h.response().code(404);
  },
});
await server.start();
console.log(`baseline listening on ${server.info.uri}`);
process.on('SIGTERM', async () => {
  await server.stop();
  await pool.end();
  process.exit(0);
});
