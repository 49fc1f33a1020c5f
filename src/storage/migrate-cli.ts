import { loadConfig } from '../config/load-config';
import { createDatabase } from './create-database';
import { runMigrations } from './run-migrations';

/** `npm run migrate`: applies pending migrations to the configured database and exits. */
const config = loadConfig();
const db = await createDatabase({ url: config.databaseUrl, schema: config.databaseSchema, poolMax: 1 });
try {
  const applied = await runMigrations(db);
  console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date');
} finally {
  await db.close();
}
