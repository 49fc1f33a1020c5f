import type { Database } from './create-database';
import { TesseraMigrationSource } from './migrations';

/** Brings the schema up to date (knex migrations, their lock table lives in the same schema). */
export async function runMigrations(db: Database): Promise<string[]> {
  const [, applied] = (await db.knex.migrate.latest({
    migrationSource: new TesseraMigrationSource(),
    schemaName: db.schema === 'public' ? undefined : db.schema,
  })) as [number, string[]];
  return applied;
}
