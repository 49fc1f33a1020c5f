import { loadConfig } from './config/load-config';
import { createDatabase } from './storage/create-database';
import { runMigrations } from './storage/run-migrations';
import { createServer } from './server';
import { loadDemoSeeds } from './seeds/load-demo-seeds';

/** Entry point: config → database (migrated) → server → demo data → listen; clean shutdown on signals. */
const config = loadConfig();
const db = await createDatabase({ url: config.databaseUrl, schema: config.databaseSchema, poolMax: config.poolMax });
const applied = await runMigrations(db);
if (applied.length) console.log(`[tessera] applied ${applied.length} migration(s)`);
const { server, services } = await createServer(config, db);
if (config.seedDemo) {
  const loaded = await loadDemoSeeds(services);
  if (loaded) console.log(`[tessera] loaded demo data: ${loaded} resources`);
}
await server.start();
console.log(`[tessera] FHIR R4 server on ${db.kind === 'pglite' ? `embedded Postgres (${config.databaseUrl})` : 'Postgres'} at ${config.baseUrl}`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`[tessera] ${signal}: shutting down`);
  await server.stop({ timeout: 10_000 });
  await db.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
