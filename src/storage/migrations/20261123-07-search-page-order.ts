import type { Knex } from 'knex';
import { SEARCH_INDEX_TABLES } from '../../fhir/search/index-tables';
import { currentTable } from '../resource-tables';

/**
 * Search results in page order straight from the index tables (issue 4, broad criteria at 1M):
 *
 * - every `sp_*` row carries its resource's `last_updated` (filled by the indexer on every write,
 *   rows are replaced with each version), so the default order (`_lastUpdated`) of the matches is
 *   known from index-only scans and only the page's rows are read from the resource tables;
 * - the equality indexes (token code, reference target, exact string, uri) end in
 *   `(last_updated, resource_id)`: one criterion can be read in page order and the others probed
 *   per row (nested loop, early exit at the page size) when that is cheaper than a hash join + sort;
 * - the per-resource indexes (but sp_token's, by far the largest, which stays lean) are keyed
 *   `(resource_id, resource_type, param)` and carry the value columns, so those probes and
 *   `_sort` keys are index-only; a probe for "has code X" seeks sp_token_code_idx by
 *   (code, last_updated, resource_id) instead, within the pages of that code.
 *
 * - date rows also carry the `_sort` keys of their parameter (`sort_low` = the resource's earliest
 *   `low`, `sort_high` = its latest `high` for that parameter), so `date=...&_sort=date` orders
 *   the matching rows without a lookup per match; and `long_span` (the row spans more than 24 h,
 *   e.g. a Period or a year): a two-sided date window reads the short rows as one bounded range
 *   of sp_date_low_idx (index-only) and only the long ones through a small partial GiST index.
 *
 * Existing rows are backfilled from the resource tables; rows left without a resource (none are
 * written by the store) are removed, then the column becomes NOT NULL so a writer cannot skip it.
 */
const INDEXES: Array<[name: string, definition: string]> = [
  ['sp_token_code_idx', 'sp_token (resource_type, param, code, last_updated, resource_id) INCLUDE (system)'],
  ['sp_reference_target_idx', 'sp_reference (target_id, target_type, resource_type, param, last_updated, resource_id) INCLUDE (url)'],
  ['sp_reference_resource_idx', 'sp_reference (resource_id, resource_type, param) INCLUDE (target_type, target_id, last_updated)'],
  ['sp_string_value_idx', 'sp_string (resource_type, param, value_norm text_pattern_ops) INCLUDE (resource_id, last_updated)'],
  ['sp_string_exact_idx', 'sp_string (resource_type, param, value_exact, last_updated, resource_id)'],
  ['sp_string_resource_idx', 'sp_string (resource_id, resource_type, param) INCLUDE (value_norm, last_updated)'],
  ['sp_date_low_idx', 'sp_date (resource_type, param, low, high) INCLUDE (resource_id, last_updated, long_span, sort_low, sort_high)'],
  ['sp_date_high_idx', 'sp_date (resource_type, param, high) INCLUDE (low, resource_id, last_updated, sort_low, sort_high)'],
  ['sp_date_long_idx', 'sp_date USING gist (resource_type, param, tstzrange(low, high)) WHERE long_span'],
  ['sp_date_resource_idx', 'sp_date (resource_id, resource_type, param) INCLUDE (low, high, last_updated)'],
  ['sp_number_idx', 'sp_number (resource_type, param, low, high) INCLUDE (resource_id, last_updated)'],
  ['sp_quantity_idx', 'sp_quantity (resource_type, param, code, low) INCLUDE (high, system, unit, resource_id, last_updated)'],
  ['sp_quantity_canon_idx', 'sp_quantity (resource_type, param, canon_code, canon_low) INCLUDE (canon_high, resource_id, last_updated)'],
  ['sp_quantity_canon_high_idx', 'sp_quantity (resource_type, param, canon_code, canon_high) INCLUDE (canon_low, resource_id, last_updated)'],
  ['sp_quantity_resource_idx', 'sp_quantity (resource_id, resource_type, param) INCLUDE (canon_code, canon_low, canon_high, last_updated)'],
  ['sp_uri_idx', 'sp_uri (resource_type, param, value text_pattern_ops, last_updated, resource_id)'],
];

export async function up(knex: Knex): Promise<void> {
  // One statement per call: PGlite's extended protocol takes a single command at a time.
  for (const table of SEARCH_INDEX_TABLES) {
    await knex.raw(`ALTER TABLE ${table} ADD COLUMN last_updated timestamptz`);
    const types = (await knex.raw(`SELECT DISTINCT resource_type FROM ${table}`)) as { rows: Array<{ resource_type: string }> };
    for (const { resource_type: type } of types.rows) {
      await knex.raw(
        `UPDATE ${table} s SET last_updated = r.last_updated FROM "${currentTable(type)}" r WHERE s.resource_type = ? AND s.resource_id = r.id AND NOT r.deleted`,
        [type],
      );
    }
    await knex.raw(`DELETE FROM ${table} WHERE last_updated IS NULL`);
    await knex.raw(`ALTER TABLE ${table} ALTER COLUMN last_updated SET NOT NULL`);
  }
  await knex.raw('ALTER TABLE sp_date ADD COLUMN sort_low timestamptz, ADD COLUMN sort_high timestamptz, ADD COLUMN long_span boolean');
  // (infinite bounds are long; the CASE keeps Postgres < 17 from subtracting infinities)
  await knex.raw(`UPDATE sp_date s SET sort_low = k.sort_low, sort_high = k.sort_high,
      long_span = coalesce(CASE WHEN s.high = 'infinity' OR s.low = '-infinity' THEN true ELSE s.high - s.low > interval '24 hours' END, true)
    FROM (SELECT resource_type, resource_id, param, min(low) AS sort_low, max(high) AS sort_high FROM sp_date GROUP BY resource_type, resource_id, param) k
    WHERE s.resource_type = k.resource_type AND s.resource_id = k.resource_id AND s.param = k.param`);
  await knex.raw('ALTER TABLE sp_date ALTER COLUMN long_span SET NOT NULL');
  for (const [name, definition] of INDEXES) {
    await knex.raw(`DROP INDEX IF EXISTS ${name}`);
    await knex.raw(`CREATE INDEX ${name} ON ${definition}`);
  }
  // Quantity values per unit (`value-quantity=gt90|...|kg`): the column histogram mixes every unit
  // and parameter; multi-column MCV statistics give the planner the per-unit distribution.
  await knex.raw('CREATE STATISTICS sp_quantity_canon_mcv (mcv) ON resource_type, param, canon_code, canon_high FROM sp_quantity');
  await knex.raw('ALTER STATISTICS sp_quantity_canon_mcv SET STATISTICS 1000');
}

export async function down(knex: Knex): Promise<void> {
  const previous: Array<[string, string]> = [
    ['sp_token_code_idx', 'sp_token (resource_type, param, code, system) INCLUDE (resource_id)'],
    ['sp_reference_target_idx', 'sp_reference (target_id, target_type, resource_type, param) INCLUDE (resource_id)'],
    ['sp_reference_resource_idx', 'sp_reference (resource_id, resource_type)'],
    ['sp_string_value_idx', 'sp_string (resource_type, param, value_norm text_pattern_ops) INCLUDE (resource_id)'],
    ['sp_string_exact_idx', 'sp_string (resource_type, param, value_exact) INCLUDE (resource_id)'],
    ['sp_string_resource_idx', 'sp_string (resource_id, resource_type)'],
    ['sp_date_low_idx', 'sp_date (resource_type, param, low, high) INCLUDE (resource_id)'],
    ['sp_date_high_idx', 'sp_date (resource_type, param, high) INCLUDE (low, resource_id)'],
    ['sp_date_long_idx', 'sp_date USING gist (resource_type, param, tstzrange(low, high)) WHERE long_span'],
  ['sp_date_resource_idx', 'sp_date (resource_id, resource_type)'],
    ['sp_number_idx', 'sp_number (resource_type, param, low, high) INCLUDE (resource_id)'],
    ['sp_quantity_idx', 'sp_quantity (resource_type, param, code, low) INCLUDE (high, system, unit, resource_id)'],
    ['sp_quantity_canon_idx', 'sp_quantity (resource_type, param, canon_code, canon_low) INCLUDE (canon_high, resource_id)'],
    ['sp_quantity_resource_idx', 'sp_quantity (resource_id, resource_type)'],
    ['sp_uri_idx', 'sp_uri (resource_type, param, value text_pattern_ops) INCLUDE (resource_id)'],
  ];
  await knex.raw('DROP STATISTICS IF EXISTS sp_quantity_canon_mcv');
  await knex.raw('DROP INDEX IF EXISTS sp_quantity_canon_high_idx');
  await knex.raw('DROP INDEX IF EXISTS sp_date_long_idx');
  for (const [name, definition] of previous) {
    await knex.raw(`DROP INDEX IF EXISTS ${name}`);
    await knex.raw(`CREATE INDEX ${name} ON ${definition}`);
  }
  await knex.raw('ALTER TABLE sp_date DROP COLUMN sort_low, DROP COLUMN sort_high, DROP COLUMN long_span');
  for (const table of SEARCH_INDEX_TABLES) await knex.raw(`ALTER TABLE ${table} DROP COLUMN last_updated`);
}
