import type { Knex } from 'knex';
import { SEARCH_INDEX_TABLES } from '../../fhir/search/index-tables';

/**
 * Search index tables shared by every resource type (one row per extracted value), with indexes
 * shaped for the query patterns of src/fhir/search (semi-joins on (resource_type, param, value),
 * references by target, trigram for :contains, GIN full text for _text/_content).
 */
const KEY = `resource_type text NOT NULL, resource_id text NOT NULL, param text NOT NULL, grp integer`;

export async function up(knex: Knex): Promise<void> {
  const statements = [
    `CREATE TABLE sp_string (${KEY}, value_norm text, value_exact text)`,
    `CREATE INDEX sp_string_value_idx ON sp_string (resource_type, param, value_norm text_pattern_ops) INCLUDE (resource_id)`,
    `CREATE INDEX sp_string_exact_idx ON sp_string (resource_type, param, value_exact) INCLUDE (resource_id)`,
    `CREATE INDEX sp_string_trgm_idx ON sp_string USING gin (value_norm public.gin_trgm_ops)`,
    `CREATE TABLE sp_token (${KEY}, system text, code text, text_norm text, type_system text, type_code text)`,
    `CREATE INDEX sp_token_code_idx ON sp_token (resource_type, param, code, system) INCLUDE (resource_id)`,
    `CREATE INDEX sp_token_text_idx ON sp_token (resource_type, param, text_norm text_pattern_ops)`,
    `CREATE TABLE sp_date (${KEY}, low timestamptz, high timestamptz)`,
    `CREATE INDEX sp_date_low_idx ON sp_date (resource_type, param, low, high) INCLUDE (resource_id)`,
    `CREATE INDEX sp_date_high_idx ON sp_date (resource_type, param, high) INCLUDE (low, resource_id)`,
    // two-sided windows (date=ge..&date=lt..): range statistics give the planner real estimates
    `CREATE INDEX sp_date_range_idx ON sp_date USING gist (resource_type, param, tstzrange(low, high))`,
    `CREATE TABLE sp_number (${KEY}, low numeric, high numeric)`,
    `CREATE INDEX sp_number_idx ON sp_number (resource_type, param, low, high) INCLUDE (resource_id)`,
    `CREATE TABLE sp_quantity (${KEY}, low numeric, high numeric, system text, code text, unit text, canon_low numeric, canon_high numeric, canon_code text)`,
    `CREATE INDEX sp_quantity_idx ON sp_quantity (resource_type, param, code, low) INCLUDE (high, system, unit, resource_id)`,
    `CREATE INDEX sp_quantity_canon_idx ON sp_quantity (resource_type, param, canon_code, canon_low) INCLUDE (canon_high, resource_id)`,
    `CREATE TABLE sp_reference (${KEY}, target_type text, target_id text, target_version text, url text)`,
    `CREATE INDEX sp_reference_target_idx ON sp_reference (target_id, target_type, resource_type, param) INCLUDE (resource_id)`,
    `CREATE INDEX sp_reference_url_idx ON sp_reference (url) WHERE url IS NOT NULL`,
    `CREATE TABLE sp_uri (${KEY}, value text)`,
    `CREATE INDEX sp_uri_idx ON sp_uri (resource_type, param, value text_pattern_ops) INCLUDE (resource_id)`,
    `CREATE TABLE sp_text (${KEY}, value text, tsv tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, coalesce(value, ''))) STORED)`,
    `CREATE INDEX sp_text_tsv_idx ON sp_text USING gin (tsv)`,
    `CREATE TABLE sp_geo (${KEY}, lat double precision, lng double precision)`,
  ];
  for (const t of SEARCH_INDEX_TABLES) statements.push(`CREATE INDEX ${t}_resource_idx ON ${t} (resource_id, resource_type)`);
  // Value frequencies differ wildly per (type, param) (gender=female is half the Patients, a given
  // MRN one row): multi-column MCV statistics let the planner see that and pick the driving side.
  for (const [table, cols] of [
    ['sp_token', 'resource_type, param, code, system'],
    ['sp_string', 'resource_type, param, value_norm'],
    ['sp_reference', 'resource_type, param, target_type'],
    ['sp_quantity', 'resource_type, param, code, canon_code'],
    ['sp_date', 'resource_type, param'],
  ]) {
    statements.push(`CREATE STATISTICS ${table}_mcv (mcv, dependencies) ON ${cols} FROM ${table}`);
    statements.push(`ALTER STATISTICS ${table}_mcv SET STATISTICS 1000`);
  }
  statements.push(`ALTER TABLE sp_token ALTER COLUMN code SET STATISTICS 1000`);
  // One statement per call: PGlite's extended protocol takes a single command at a time.
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  for (const t of SEARCH_INDEX_TABLES) await knex.raw(`DROP TABLE IF EXISTS ${t}`);
}
