/**
 * Prints EXPLAIN (ANALYZE, BUFFERS) of the page query of one search on the bench data set, for
 * iterating on plans without running the whole bench.
 *   npx tsx bench/search-explain.ts <Type> '<query string>' [schema=bench_search] [database-url]
 */
import { createDatabase } from '../src/storage/create-database';
import { parseSearch } from '../src/fhir/search/parse-request';
import { pageQuery } from '../src/fhir/search/query-sql';

const [type, query] = process.argv.slice(2, 4);
const schema = process.argv[4] ?? 'bench_search';
const url = process.argv[5] ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function main(): Promise<void> {
  const db = await createDatabase({ url, schema, poolMax: 1 });
  const parsed = parseSearch([type], [...new URLSearchParams(query)] as Array<[string, string]>, { baseUrl: 'http://localhost:8080/fhir', strict: true });
  const { query: q } = pageQuery([type], parsed.criteriaByType, parsed.sort, parsed.count + 1, undefined, Date.now());
  const res = (await db.knex.raw(`EXPLAIN (ANALYZE, BUFFERS) ${q.text}`, q.values as never[])) as { rows: Array<{ 'QUERY PLAN': string }> };
  console.log(res.rows.map((r) => r['QUERY PLAN']).join('\n'));
  await db.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
