import type { Knex } from 'knex';
import { getResourceTypes } from '../../fhir/model/definitions';
import { currentTable, HISTORY_TABLE } from '../resource-tables';

/**
 * One table of current versions per R4 resource type, plus one history table for all versions.
 * Current rows of deleted resources stay (deleted = true, content NULL) so reads answer 410 and
 * version numbers continue if the id is re-created.
 */
export async function up(knex: Knex): Promise<void> {
  const statements: string[] = [];
  for (const type of getResourceTypes()) {
    const t = currentTable(type);
    statements.push(
      `CREATE TABLE "${t}" (
        id text PRIMARY KEY,
        version_id integer NOT NULL,
        last_updated timestamptz NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        content jsonb
      )`,
      `CREATE INDEX "${t}_last_updated_idx" ON "${t}" (last_updated, id)`,
    );
  }
  statements.push(
    `CREATE TABLE ${HISTORY_TABLE} (
      seq bigserial PRIMARY KEY,
      resource_type text NOT NULL,
      id text NOT NULL,
      version_id integer NOT NULL,
      last_updated timestamptz NOT NULL,
      deleted boolean NOT NULL DEFAULT false,
      method text NOT NULL,
      content jsonb,
      UNIQUE (resource_type, id, version_id)
    )`,
    `CREATE INDEX ${HISTORY_TABLE}_type_time_idx ON ${HISTORY_TABLE} (resource_type, last_updated, seq)`,
    `CREATE INDEX ${HISTORY_TABLE}_time_idx ON ${HISTORY_TABLE} (last_updated, seq)`,
  );
  // One statement per call: PGlite's extended protocol takes a single command at a time.
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DROP TABLE IF EXISTS ${HISTORY_TABLE}`);
  for (const type of getResourceTypes()) await knex.raw(`DROP TABLE IF EXISTS "${currentTable(type)}"`);
}
