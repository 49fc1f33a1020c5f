import { badRequest } from '../../shared/fhir-error';
import { currentTable } from '../../storage/resource-tables';
import type { Criterion, SortKey } from './criteria';
import { AliasSource, hasLastUpdated, idSetSql, isOrderedEquality, matchRows, mergeRanges } from './criteria-sql';
import { tableFor } from './index-tables';
import { and, join, or, raw, sql, type Sql } from './sql';

/** One ORDER BY key of the page query. */
interface Key {
  /** Expression on the per-type row alias `r`. */
  expr: Sql;
  cast: 'text' | 'timestamptz' | 'numeric';
  desc: boolean;
  nullable: boolean;
}

/** Opaque keyset cursor: the key values of a boundary row and the direction to read. */
export interface Cursor {
  dir: 'next' | 'prev';
  values: Array<string | null>;
}

/** Encodes a cursor as base64url JSON (http://hl7.org/fhir/R4/http.html#paging: links are opaque). */
export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.dir === 'next' ? 'n' : 'p', ...c.values])).toString('base64url');
}

/** Decodes a cursor; throws 400 when it was tampered with. */
export function decodeCursor(text: string, keyCount: number): Cursor {
  try {
    const arr = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (!Array.isArray(arr) || arr.length !== keyCount + 1 || (arr[0] !== 'n' && arr[0] !== 'p')) throw new Error();
    if (!arr.slice(1).every((v) => v === null || typeof v === 'string')) throw new Error();
    return { dir: arr[0] === 'n' ? 'next' : 'prev', values: arr.slice(1) as Array<string | null> };
  } catch {
    throw badRequest('_cursor: not a cursor issued by this server (it must be used unchanged, with the same search parameters)', '_cursor');
  }
}

/**
 * The ORDER BY keys of `sort` for rows of `type` whose id is `idCol` and last_updated `luCol`.
 * Parameter keys are the min (ascending) / max (descending) value of the resource's index rows;
 * when the rows `d` driving the query are date rows of the sort parameter they carry that key.
 */
function sortKeys(type: string, sort: SortKey[], idCol: string, luCol: string, driver?: { table: string; param: string }): Key[] {
  const keys: Key[] = [];
  for (const s of sort) {
    if (s.code === '_id') keys.push({ expr: raw(idCol), cast: 'text', desc: s.desc, nullable: false });
    else if (s.code === '_lastUpdated') keys.push({ expr: raw(luCol), cast: 'timestamptz', desc: s.desc, nullable: false });
    else if (s.def?.type === 'date' && driver?.table === 'sp_date' && driver.param === s.code) {
      // every driving row has a value of the parameter: the key is never NULL
      keys.push({ expr: raw(s.desc ? 'd.sort_high' : 'd.sort_low'), cast: 'timestamptz', desc: s.desc, nullable: false });
    } else if (s.def) {
      const agg = s.desc ? 'max' : 'min';
      let col: string;
      let cast: Key['cast'] = 'text';
      switch (s.def.type) {
        case 'string': col = 'value_norm'; break;
        case 'token': col = 'code'; break;
        case 'date': col = s.desc ? 'high' : 'low'; cast = 'timestamptz'; break;
        case 'number':
        case 'quantity': col = s.desc ? 'high' : 'low'; cast = 'numeric'; break;
        case 'reference': col = `coalesce(s.target_type || '/' || s.target_id, s.url)`; break;
        case 'uri': col = 'value'; break;
        default: throw badRequest(`_sort: cannot sort on '${s.code}'`, '_sort');
      }
      const colExpr = col.includes('(') ? col : `s.${col}`;
      keys.push({
        expr: sql`(SELECT ${raw(agg)}(${raw(colExpr)}) FROM ${raw(tableFor(s.def.type))} s WHERE s.resource_type = ${type} AND s.resource_id = ${raw(idCol)} AND s.param = ${s.code})`,
        cast,
        desc: s.desc,
        nullable: true,
      });
    }
  }
  if (sort.length === 0) keys.push({ expr: raw(luCol), cast: 'timestamptz', desc: false, nullable: false });
  return keys;
}

/** The filtered rows of one type: `FROM "T" r WHERE NOT r.deleted AND r.id IN (...)...`. */
export function filteredFrom(type: string, criteria: Criterion[], now: number, ctx = new AliasSource()): Sql {
  const conds = mergeRanges(criteria).map((c) => sql`r.id IN (${idSetSql(ctx, type, c, now)})`);
  return sql`FROM ${raw(`"${currentTable(type)}"`)} r WHERE NOT r.deleted${conds.length ? sql` AND ${and(conds)}` : raw('')}`;
}

/** ORDER BY terms for `keys` named `names` (nullable keys sort their NULLs last via flag columns `flags`). */
function orderTerms(keys: Key[], names: string[], flags: Array<string | undefined>, reverse: boolean): string {
  return keys
    .flatMap((k, i) => {
      const desc = k.desc !== reverse;
      const flag = flags[i];
      return [...(flag ? [`${flag}${reverse ? ' DESC' : ''}`] : []), `${names[i]}${desc ? ' DESC' : ''}`];
    })
    .join(', ');
}

/**
 * The keyset condition "after the cursor" on key expressions `exprs` (null flags as `(expr IS NULL)`),
 * plus a redundant bound on the first key so an index on it can start at the cursor.
 */
function afterCursor(keys: Key[], exprs: Sql[], cursor: Cursor): Sql {
  if (cursor.values.length !== keys.length) throw badRequest('_cursor does not match this search', '_cursor');
  const reverse = cursor.dir === 'prev';
  const terms: Array<{ col: Sql; value: Sql; op: '>' | '<' }> = [];
  keys.forEach((k, i) => {
    const v = cursor.values[i];
    const after = (k.desc !== reverse) ? '<' : '>';
    if (k.nullable) terms.push({ col: sql`(${exprs[i]} IS NULL)`, value: sql`${v === null}::boolean`, op: reverse ? '<' : '>' });
    terms.push({ col: exprs[i], value: sql`${v}::${raw(k.cast)}`, op: after });
  });
  const ors: Sql[] = terms.map((t, i) => and([...terms.slice(0, i).map((p) => sql`${p.col} IS NOT DISTINCT FROM ${p.value}`), sql`${t.col} ${raw(t.op)} ${t.value}`]));
  const first = keys[0];
  if (!first.nullable && cursor.values[0] !== null) {
    const op = (first.desc !== reverse) ? '<=' : '>=';
    return and([sql`${exprs[0]} ${raw(op)} ${cursor.values[0]}::${raw(first.cast)}`, or(ors)]);
  }
  return or(ors);
}

/**
 * Picks the index rows that drive the page query of one type: a criterion whose matching rows can
 * be read in page order (an equality on an index ending in `(last_updated, resource_id)`) when the
 * first key is `_lastUpdated`, else any criterion backed by one index table (its rows carry
 * `last_updated`, so matches are filtered and ordered without touching the resource table).
 * Undefined: drive from the resource table (no criteria, or only `_id`/negations/`_has`).
 */
function pickDriver(ctx: AliasSource, type: string, criteria: Criterion[], sort: SortKey[], now: number) {
  const byLastUpdated = sort.length === 0 || sort[0].code === '_lastUpdated';
  const candidates = criteria.map((c, i) => ({ i, rows: matchRows(ctx, 'd', type, c, now) })).filter((x) => x.rows !== undefined);
  if (candidates.length === 0) return undefined;
  // ordered candidates first; then by table, equality-heavy ones first (usually the most selective)
  const order = ['sp_reference', 'sp_token', 'sp_string', 'sp_uri', 'sp_quantity', 'sp_number', 'sp_date'];
  const rank = (x: (typeof candidates)[number]) => (x.rows!.ordered && byLastUpdated ? 0 : 10) + (order.indexOf(x.rows!.table) + 10) % 10;
  candidates.sort((a, b) => rank(a) - rank(b) || a.i - b.i);
  return { index: candidates[0].i, rows: candidates[0].rows! };
}

/**
 * The page query of one type, in two steps: the ids and sort keys of the page, from the index
 * tables alone (driving rows plus `IN` semi-joins for the other criteria, DISTINCT because a
 * resource may have several matching rows), then the content of just those rows.
 */
function singleTypePage(type: string, criteria: Criterion[], sort: SortKey[], limit: number, cursor: Cursor | undefined, now: number): { query: Sql; keyCount: number } {
  const ctx = new AliasSource();
  const merged = mergeRanges(criteria);
  const driver = pickDriver(ctx, type, merged, sort, now);
  const idCol = driver ? 'd.resource_id' : 'd.id';
  const from = driver
    ? sql`FROM ${driver.rows.source} WHERE ${driver.rows.where}`
    : sql`FROM ${raw(`"${currentTable(type)}"`)} d WHERE NOT d.deleted`;
  // Another equality criterion joins on (id, last_updated) pairs: both sides carry the resource's
  // last_updated, so its rows, also in (last_updated, resource_id) order, can be merge-joined with
  // the driving rows or probed by an exact seek within the criterion's range. Other criteria join on
  // the id alone (a pair join would make the planner underestimate their matches).
  const conds = merged
    .filter((_, i) => i !== driver?.index)
    .map((c) => (isOrderedEquality(c) && hasLastUpdated(c) ? sql`(${raw(idCol)}, d.last_updated) IN (${idSetSql(ctx, type, c, now, true)})` : sql`${raw(idCol)} IN (${idSetSql(ctx, type, c, now)})`));
  const keys: Key[] = [...sortKeys(type, sort, idCol, 'd.last_updated', driver?.rows), { expr: raw(idCol), cast: 'text', desc: false, nullable: false }];
  const names = keys.map((_, i) => (i === keys.length - 1 ? 'id' : `k${i}`));
  const flags = keys.map((k, i) => (k.nullable ? `n${i}` : undefined));
  const reverse = cursor?.dir === 'prev';
  if (cursor) conds.push(afterCursor(keys, keys.map((k) => k.expr), cursor));
  const cols = keys.flatMap((k, i) => [...(k.nullable ? [sql`(${k.expr} IS NULL) AS n${raw(String(i))}`] : []), sql`${k.expr} AS ${raw(names[i])}`]);
  const inner = sql`SELECT ${raw(driver ? 'DISTINCT ' : '')}${join(cols, ', ')} ${from}${conds.length ? sql` AND ${and(conds)}` : raw('')} ORDER BY ${raw(orderTerms(keys, names, flags, reverse))} LIMIT ${limit}`;
  const textKeys = names.map((n, i) => `p.${n}::text AS c${i}`).join(', ');
  const outerOrder = orderTerms(keys, names.map((n) => `p.${n}`), flags.map((f) => (f ? `p.${f}` : undefined)), reverse);
  return {
    query: sql`SELECT r.id, r.version_id, r.last_updated, r.content, ${type}::text AS resource_type, ${raw(textKeys)} FROM (${inner}) p JOIN ${raw(`"${currentTable(type)}"`)} r ON r.id = p.id AND NOT r.deleted ORDER BY ${raw(outerOrder)}`,
    keyCount: keys.length,
  };
}

/** The page query for one or more types, ordered by the sort keys then (type, id), after the cursor. */
export function pageQuery(
  types: string[],
  criteriaByType: Map<string, Criterion[]>,
  sort: SortKey[],
  limit: number,
  cursor: Cursor | undefined,
  now: number,
): { query: Sql; keyCount: number } {
  if (types.length === 1) return singleTypePage(types[0], criteriaByType.get(types[0]) ?? [], sort, limit, cursor, now);
  const perType = types.map((t) => {
    const keys = sortKeys(t, sort, 'r.id', 'r.last_updated');
    const cols = keys.map((k, i) => sql`${k.expr} AS k${raw(String(i))}`);
    return { sql: sql`SELECT r.id, r.version_id, r.last_updated, r.content, ${t}::text AS resource_type, ${join(cols, ', ')} ${filteredFrom(t, criteriaByType.get(t) ?? [], now)}`, keys };
  });
  const keys: Key[] = [...perType[0].keys];
  keys.push({ expr: raw('resource_type'), cast: 'text', desc: false, nullable: false });
  keys.push({ expr: raw('id'), cast: 'text', desc: false, nullable: false });
  const names = keys.map((_, i) => (i < perType[0].keys.length ? `q.k${i}` : i === keys.length - 1 ? 'q.id' : 'q.resource_type'));
  const reverse = cursor?.dir === 'prev';
  const order = orderTerms(keys, names, keys.map((k, i) => (k.nullable ? `(${names[i]} IS NULL)` : undefined)), reverse);
  const where = cursor ? afterCursor(keys, names.map((n) => raw(n)), cursor) : raw('TRUE');
  const body = join(perType.map((p) => sql`(${p.sql})`), ' UNION ALL ');
  const textKeys = keys.map((k, i) => `${names[i]}::text AS c${i}`).join(', ');
  return {
    query: sql`SELECT q.*, ${raw(textKeys)} FROM (${body}) q WHERE ${where} ORDER BY ${raw(order)} LIMIT ${limit}`,
    keyCount: keys.length,
  };
}

/** `SELECT count(*)` of all matches across the types. */
export function countQuery(types: string[], criteriaByType: Map<string, Criterion[]>, now: number): Sql {
  const parts = types.map((t) => sql`SELECT count(*) AS n ${filteredFrom(t, criteriaByType.get(t) ?? [], now)}`);
  return sql`SELECT sum(n)::bigint AS total FROM (${join(parts, ' UNION ALL ')}) c`;
}

/** A plain SELECT of the matches (for EXPLAIN-based estimates). */
export function matchQuery(types: string[], criteriaByType: Map<string, Criterion[]>, now: number): Sql {
  return join(types.map((t) => sql`SELECT r.id ${filteredFrom(t, criteriaByType.get(t) ?? [], now)}`), ' UNION ALL ');
}
