import { randomBytes } from 'node:crypto';
import { createDatabase, type Database } from '../../src/storage/create-database';
import { runMigrations } from '../../src/storage/run-migrations';

/**
 * A migrated database for tests: in-memory PGlite by default; when DATABASE_URL is set, the real
 * Postgres in a fresh schema `t_<random>` that `close()` drops.
 */
export async function createTestDatabase(): Promise<Database> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const db = await createDatabase({ url: 'memory://' });
    await runMigrations(db);
    return db;
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const db = await createDatabase({ url, schema, poolMax: 4 });
  await runMigrations(db);
  return {
    ...db,
    close: async () => {
      try {
        await db.knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
      } finally {
        await db.close();
      }
    },
  };
}
