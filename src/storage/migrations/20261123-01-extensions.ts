import type { Knex } from 'knex';
import { REQUIRED_EXTENSIONS } from '../create-database';

/** Contrib extensions later capabilities rely on (exclusion constraints, geo, trigram, phonetic, crypto). */
export async function up(knex: Knex): Promise<void> {
  // Extensions are database-wide: serialise concurrent migrators (several test schemas at once).
  await knex.raw('SELECT pg_advisory_xact_lock(7243001)');
  for (const ext of REQUIRED_EXTENSIONS) await knex.raw(`CREATE EXTENSION IF NOT EXISTS ${ext} SCHEMA public`);
}

export async function down(): Promise<void> {
  // Extensions may be shared with other schemas; never dropped.
}
