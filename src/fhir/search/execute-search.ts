import type { Knex } from 'knex';
import type { Bundle, BundleEntry, BundleLink, OperationOutcome, Resource } from 'fhir/r4';
import type { Criterion, ParsedSearch } from './criteria';
import { resolveIncludes } from './includes';
import { countQuery, decodeCursor, encodeCursor, matchQuery, pageQuery, type Cursor } from './query-sql';
import type { Sql } from './sql';
import { subsetResource } from './subset';

type Db = Knex | Knex.Transaction;

/** Runs a fragment through knex.raw. */
export async function run<T>(db: Db, q: Sql): Promise<T[]> {
  const res = (await db.raw(q.text, q.values as never[])) as { rows: T[] };
  return res.rows;
}

interface PageRow {
  id: string;
  resource_type: string;
  content: Resource | string;
  [c: string]: unknown;
}

/** What the caller knows about where this search lives, for links. */
export interface SearchContext {
  baseUrl: string;
  /** Path after the base, e.g. `Patient`, `Patient/123/Observation`, `` (system), `Patient/1/$everything`. */
  path: string;
}

function link(ctx: SearchContext, applied: Array<[string, string]>, cursor?: string): string {
  const qs = new URLSearchParams(applied);
  if (cursor) qs.append('_cursor', cursor);
  const q = qs.toString();
  const base = ctx.baseUrl.replace(/\/$/, '');
  return `${base}${ctx.path ? `/${ctx.path}` : ''}${q ? `?${q}` : ''}`;
}

async function total(db: Db, parsed: ParsedSearch, types: string[], byType: Map<string, Criterion[]>, now: number): Promise<number | undefined> {
  if (parsed.total === 'accurate' || parsed.summary === 'count') {
    const [row] = await run<{ total: string | number | null }>(db, countQuery(types, byType, now));
    return Number(row?.total ?? 0);
  }
  if (parsed.total === 'estimate') {
    const q = matchQuery(types, byType, now);
    const [row] = await run<{ 'QUERY PLAN': unknown }>(db, { text: `EXPLAIN (FORMAT JSON) ${q.text}`, values: q.values } as Sql);
    const plan = row?.['QUERY PLAN'];
    const parsedPlan = (typeof plan === 'string' ? JSON.parse(plan) : plan) as Array<{ Plan: { 'Plan Rows': number } }>;
    return Math.round(parsedPlan?.[0]?.Plan?.['Plan Rows'] ?? 0);
  }
  return undefined;
}

/**
 * Executes a parsed search and builds the searchset Bundle (http://hl7.org/fhir/R4/bundle.html#searchset):
 * keyset-paged matches (`_cursor` in next/previous links), includes, `total` per `_total`
 * (default: only when the first page holds every match, so it is exact and free), and an
 * OperationOutcome entry listing ignored parameters.
 */
export async function executeSearch(
  db: Db,
  types: string[],
  parsed: ParsedSearch & { criteriaByType: Map<string, Criterion[]> },
  ctx: SearchContext,
): Promise<Bundle> {
  const now = Date.now();
  const byType = parsed.criteriaByType;
  const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset' };
  const links: BundleLink[] = [{ relation: 'self', url: link(ctx, parsed.applied, parsed.cursor) }];
  const entries: BundleEntry[] = [];
  const outcome = outcomeEntry(parsed);
  if (parsed.summary === 'count' || parsed.count === 0) {
    bundle.total = parsed.total === 'none' ? undefined : await total(db, { ...parsed, total: parsed.total ?? 'accurate' }, types, byType, now);
    bundle.link = links;
    if (outcome) bundle.entry = [outcome];
    return bundle;
  }
  const keyCount = Math.max(parsed.sort.length, 1) + (types.length > 1 ? 1 : 0) + 1;
  const cursor: Cursor | undefined = parsed.cursor ? decodeCursor(parsed.cursor, keyCount) : undefined;
  const { query } = pageQuery(types, byType, parsed.sort, parsed.count + 1, cursor, now);
  let rows = await run<PageRow>(db, query);
  const more = rows.length > parsed.count;
  rows = rows.slice(0, parsed.count);
  if (cursor?.dir === 'prev') rows.reverse();
  const keyValues = (r: PageRow) => Array.from({ length: keyCount }, (_, i) => (r[`c${i}`] as string | null) ?? null);
  const hasNext = cursor?.dir === 'prev' ? rows.length > 0 : more;
  const hasPrev = cursor ? (cursor.dir === 'next' ? rows.length > 0 : more) : false;
  if (rows.length && hasPrev) links.push({ relation: 'previous', url: link(ctx, parsed.applied, encodeCursor({ dir: 'prev', values: keyValues(rows[0]) })) });
  if (rows.length && hasNext) links.push({ relation: 'next', url: link(ctx, parsed.applied, encodeCursor({ dir: 'next', values: keyValues(rows[rows.length - 1]) })) });
  const matches = rows.map((r) => (typeof r.content === 'string' ? (JSON.parse(r.content) as Resource) : r.content));
  const included = await resolveIncludes(db, matches, parsed.includes, ctx.baseUrl);
  const base = ctx.baseUrl.replace(/\/$/, '');
  const subset = (r: Resource) => subsetResource(r, parsed.summary, parsed.elements);
  for (const r of matches) entries.push({ fullUrl: `${base}/${r.resourceType}/${r.id}`, resource: subset(r), search: { mode: 'match' } });
  for (const r of included) entries.push({ fullUrl: `${base}/${r.resourceType}/${r.id}`, resource: subset(r), search: { mode: 'include' } });
  if (outcome) entries.push(outcome);
  if (parsed.total !== 'none') {
    if (parsed.total === 'accurate' || parsed.total === 'estimate') bundle.total = await total(db, parsed, types, byType, now);
    else if (!cursor && !more) bundle.total = rows.length;
  }
  bundle.link = links;
  bundle.entry = entries;
  return bundle;
}

function outcomeEntry(parsed: ParsedSearch): BundleEntry | undefined {
  if (parsed.ignored.length === 0) return undefined;
  const oo: OperationOutcome = {
    resourceType: 'OperationOutcome',
    issue: parsed.ignored.map((i) => ({ severity: 'warning', code: 'not-supported', diagnostics: `${i.reason}; parameter ignored`, expression: [i.name] })),
  };
  return { resource: oo, search: { mode: 'outcome' } };
}
