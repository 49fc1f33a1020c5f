import { loadConfig } from './src/config/load-config';
import { TesseraMigrationSource } from './src/storage/migrations';

/**
 * knex CLI configuration, derived from Tessera's own config (DATABASE_URL). Only for real
 * Postgres: the embedded PGlite database is migrated by `npm run migrate` or at server start.
 */
const config = loadConfig();

export default {
  client: 'pg',
  connection: config.databaseUrl,
  searchPath: [config.databaseSchema, 'public'],
  migrations: { migrationSource: new TesseraMigrationSource() },
};
