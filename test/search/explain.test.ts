import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../src/storage/create-database';
import { ResourceStore } from '../../src/storage/resource-store';
import { createSearchEngine } from '../../src/fhir/search';
import { parseSearch } from '../../src/fhir/search/parse-request';
import { pageQuery } from '../../src/fhir/search/query-sql';
import { createTestDatabase } from '../helpers/test-database';
import { FIXTURES } from './fixtures';

let db: Database;

beforeAll(async () => {
  db = await createTestDatabase();
  const engine = createSearchEngine();
  const store = new ResourceStore(db.knex, engine.indexer);
  for (const r of FIXTURES) await store.update(undefined, r);
  // Realistic statistics: many index rows of other resources with varied values, so the planner
  // estimates selectivity as it would on a populated server.
  const pad = (sql: string) => db.knex.raw(sql);
  // the padding resources' last_updated (same expression as their rows in the resource tables below)
  const PAD_TIME = `timestamptz '2020-01-01' + g * interval '1 second'`;
  await pad(`INSERT INTO sp_token (resource_type, resource_id, param, system, code, text_norm, last_updated)
    SELECT t, 'pad' || g, p, 'http://loinc.org', 'c' || (g % 5000), 'text ' || (g % 5000), ${PAD_TIME}
    FROM generate_series(1, 20000) g, (VALUES ('Observation', 'code'), ('Patient', 'identifier')) v(t, p)`);
  await pad(`INSERT INTO sp_token (resource_type, resource_id, param, system, code, last_updated)
    SELECT 'Observation', 'pad' || g, 'category', 'http://example.org/cat', 'broad', ${PAD_TIME} FROM generate_series(1, 20000) g`);
  await pad(`INSERT INTO sp_token (resource_type, resource_id, param, code, last_updated)
    SELECT 'Observation', 'pad' || g, 'status', CASE WHEN g % 10 = 0 THEN 'amended' ELSE 'final' END, ${PAD_TIME} FROM generate_series(1, 20000) g`);
  await pad(`INSERT INTO sp_string (resource_type, resource_id, param, value_norm, value_exact, last_updated)
    SELECT 'Patient', 'pad' || g, p, 'name' || md5(g::text), 'Name' || md5(g::text), ${PAD_TIME} FROM generate_series(1, 20000) g, (VALUES ('name'), ('family')) v(p)`);
  await pad(`INSERT INTO sp_date (resource_type, resource_id, param, low, high, sort_low, sort_high, long_span, last_updated)
    SELECT 'Patient', 'pad' || g, 'birthdate', timestamptz '1900-01-01' + g * interval '1 day', timestamptz '1900-01-02' + g * interval '1 day',
      timestamptz '1900-01-01' + g * interval '1 day', timestamptz '1900-01-02' + g * interval '1 day', false, ${PAD_TIME} FROM generate_series(1, 20000) g`);
  await pad(`INSERT INTO sp_reference (resource_type, resource_id, param, target_type, target_id, last_updated)
    SELECT 'Observation', 'pad' || g, 'subject', 'Patient', 'pt' || (g % 5000), ${PAD_TIME} FROM generate_series(1, 20000) g`);
  await pad(`INSERT INTO sp_text (resource_type, resource_id, param, value, last_updated)
    SELECT 'Patient', 'pad' || g, '_text', 'word' || g || ' filler text', ${PAD_TIME} FROM generate_series(1, 5000) g`);
  await pad(`INSERT INTO sp_quantity (resource_type, resource_id, param, low, high, system, code, canon_low, canon_high, canon_code, last_updated)
    SELECT 'Observation', 'pad' || g, 'value-quantity', g % 300, g % 300, 'http://unitsofmeasure.org', u, g % 300, g % 300, u, ${PAD_TIME}
    FROM generate_series(1, 20000) g, (VALUES ('mm[Hg]'), ('cm')) v(u)`);
  for (const t of ['Patient', 'Observation']) {
    await pad(`INSERT INTO "${t}" (id, version_id, last_updated, deleted, content)
      SELECT 'pad' || g, 1, timestamptz '2020-01-01' + g * interval '1 second', false, jsonb_build_object('resourceType', '${t}', 'id', 'pad' || g)
      FROM generate_series(1, 20000) g`);
  }
  await db.knex.raw('ANALYZE');
});
afterAll(async () => {
  await db?.close();
});

/** The plan of the page query for `Type?query`, with sequential scans discouraged so usable indexes show. */
async function plan(type: string, query: string): Promise<string> {
  const parsed = parseSearch([type], [...new URLSearchParams(query)] as Array<[string, string]>, { baseUrl: 'http://x', strict: true });
  const { query: q } = pageQuery([type], parsed.criteriaByType, parsed.sort, parsed.count + 1, undefined, Date.now());
  return db.knex.transaction(async (trx) => {
    await trx.raw('SET LOCAL enable_seqscan = off');
    const res = (await trx.raw(`EXPLAIN ${q.text}`, q.values as never[])) as { rows: Array<{ 'QUERY PLAN': string }> };
    return res.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

/** The page query's SQL text for `Type?query`. */
async function pageSql(type: string, query: string): Promise<string> {
  const parsed = parseSearch([type], [...new URLSearchParams(query)] as Array<[string, string]>, { baseUrl: 'http://x', strict: true });
  return pageQuery([type], parsed.criteriaByType, parsed.sort, parsed.count + 1, undefined, Date.now()).query.text;
}

// [type, query, indexes the plan must use (`a|b` = either)]
const SHAPES: Array<[string, string, string[]]> = [
  ['Observation', 'code=http://loinc.org|29463-7', ['sp_token_code_idx']],
  ['Patient', 'identifier=urn:oid:1.2.36.146.595.217.0.1|12345', ['sp_token_code_idx']],
  ['Patient', 'name=chal', ['sp_string_value_idx']],
  ['Patient', 'family:exact=Chalmers', ['sp_string_exact_idx']],
  ['Patient', 'name:contains=alme', ['sp_string_trgm_idx']],
  ['Patient', 'birthdate=1950-01-01', ['sp_date_low_idx|sp_date_high_idx']],
  ['Patient', 'birthdate=ge1970-01-01', ['sp_date_high_idx']],
  ['Patient', 'birthdate=ge1950-01-01&birthdate=lt1950-01-08', ['sp_date_range_idx|sp_date_low_idx|sp_date_high_idx']],
  ['Patient', 'birthdate=lt1900-03-01', ['sp_date_low_idx']],
  ['Observation', 'subject=Patient/p1', ['sp_reference_target_idx']],
  ['Observation', 'subject:Patient.name=peter', ['sp_string_value_idx', 'sp_reference_target_idx']],
  ['Patient', '_has:Observation:subject:code=29463-7', ['sp_token_code_idx', 'sp_reference_resource_idx']],
  ['Observation', 'value-quantity=gt5|http://unitsofmeasure.org|kg', ['sp_quantity_canon_idx|sp_quantity_canon_high_idx']],
  ['Patient', '_text=friendly', ['sp_text_tsv_idx']],
  ['Patient', '_count=20', ['Patient_last_updated_idx']],
  ['Patient', '_id=p1', ['Patient_pkey']],
  // broad criteria (issue 4): pages found from index-only scans of the index rows (migration 07)
  ['Patient', 'address-city=pleasant&birthdate=ge2010-01-01', ['sp_string_value_idx', 'sp_date_high_idx|sp_date_low_idx|sp_date_range_idx|sp_date_resource_idx']],
  ['Observation', 'code=http://loinc.org|29463-7&date=ge2020-01-01&date=lt2020-01-08', ['sp_token_code_idx|sp_token_resource_idx', 'sp_date_range_idx|sp_date_low_idx|sp_date_high_idx|sp_date_resource_idx']],
  ['Observation', 'code=http://loinc.org|29463-7&value-quantity=gt90|http://unitsofmeasure.org|kg', ['sp_token_code_idx|sp_token_resource_idx', 'sp_quantity_canon_high_idx|sp_quantity_resource_idx']],
  ['Observation', 'code=c7&status=final', ['sp_token_code_idx', 'sp_token_resource_idx|sp_token_code_idx']],
  ['Patient', 'birthdate=1950&_sort=birthdate', ['sp_date_low_idx']],
  ['Patient', '_has:Observation:subject:code=29463-7&family:exact=Chalmers&birthdate=1974-12-25', ['sp_string_exact_idx|sp_date_low_idx', 'sp_reference_target_idx|sp_reference_resource_idx']],
  // more of the listed shapes
  ['Immunization', 'date=ge2020-01-01&date=lt2020-02-01&_sort=-date', ['sp_date_low_idx|sp_date_range_idx|sp_date_high_idx']],
  ['Observation', 'code=http://loinc.org|29463-7&patient=Patient/p1', ['sp_reference_target_idx|sp_token_code_idx']],
  ['Immunization', 'patient.family=chalmers', ['sp_string_value_idx', 'sp_reference_target_idx|sp_reference_resource_idx']],
  ['Patient', '_content=friendly', ['sp_text_tsv_idx']],
];

test('a broad equality criterion is read in page order, not sorted', async () => {
  // 20,000 Observations with category `broad`: the first page comes from the ordered range of
  // (resource_type, param, code, last_updated, resource_id), stopping after the page
  for (const query of ['category=broad', 'category=broad&_sort=-_lastUpdated', 'category=broad&status=final']) {
    const text = await plan('Observation', query);
    expect(text, text).toMatch(/Index Only Scan( Backward)? using sp_token_code_idx on sp_token d/);
    // no full sort of all 20,000 matches (an incremental sort of equal last_updated runs is fine)
    expect(text, text).not.toMatch(/->\s+Sort\s/);
  }
  expect(await pageSql('Observation', 'category=broad')).toMatch(/ORDER BY k0, id LIMIT/);
});

describe.each(SHAPES)('%s?%s', (type, query, indexes) => {
  test(`uses ${indexes.join(', ')}`, async () => {
    const text = await plan(type, query);
    // `a|b`: either index serves the shape
    for (const ix of indexes) expect(ix.split('|').some((name) => text.includes(name)), `${ix} in\n${text}`).toBe(true);
  });
});
