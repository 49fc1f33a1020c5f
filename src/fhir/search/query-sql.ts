import { badRequest } from '../../shared/fhir-error';
import { currentTable } from '../../storage/resource-tables';
import type { Criterion, SortKey } from './criteria';
import { AliasSource, idSetSql, mergeRanges } from './criteria-sql';
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

function sortKeys(type: string, sort: SortKey[]): Key[] {
  const keys: Key[] = [];
  for (const s of sort) {
    if (s.code === '_id') keys.push({ expr: raw('r.id'), cast: 'text', desc: s.desc, nullable: false });
    else if (s.code === '_lastUpdated') keys.push({ expr: raw('r.last_updated'), cast: 'timestamptz', desc: s.desc, nullable: false });
    else if (s.def) {
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
        expr: sql`(SELECT ${raw(agg)}(${raw(colExpr)}) FROM ${raw(tableFor(s.def.type))} s WHERE s.resource_type = ${type} AND s.resource_id = r.id AND s.param = ${s.code})`,
        cast,
        desc: s.desc,
        nullable: true,
      });
    }
  }
  if (sort.length === 0) keys.push({ expr: raw('r.last_updated'), cast: 'timestamptz', desc: false, nullable: false });
  return keys;
}

/** The filtered rows of one type: `FROM "T" r WHERE NOT r.deleted AND r.id IN (...)...`. */
export function filteredFrom(type: string, criteria: Criterion[], now: number, ctx = new AliasSource()): Sql {
  const conds = mergeRanges(criteria).map((c) => sql`r.id IN (${idSetSql(ctx, type, c, now)})`);
  return sql`FROM ${raw(`"${currentTable(type)}"`)} r WHERE NOT r.deleted${conds.length ? sql` AND ${and(conds)}` : raw('')}`;
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
  const multi = types.length > 1;
  const perType = types.map((t) => {
    const keys = sortKeys(t, sort);
    const cols = keys.map((k, i) => sql`${k.expr} AS k${raw(String(i))}`);
    return { sql: sql`SELECT r.id, r.version_id, r.last_updated, r.content, ${t}::text AS resource_type, ${join(cols, ', ')} ${filteredFrom(t, criteriaByType.get(t) ?? [], now)}`, keys };
  });
  const keys: Key[] = [...perType[0].keys];
  if (multi) keys.push({ expr: raw('resource_type'), cast: 'text', desc: false, nullable: false });
  keys.push({ expr: raw('id'), cast: 'text', desc: false, nullable: false });
  const names = keys.map((_, i) => (i < perType[0].keys.length ? `q.k${i}` : i === keys.length - 1 ? 'q.id' : 'q.resource_type'));
  const reverse = cursor?.dir === 'prev';
  const order = keys.flatMap((k, i) => {
    const desc = k.desc !== reverse;
    const dir = desc ? ' DESC' : '';
    const nullFlag = k.nullable ? [`(${names[i]} IS NULL)${reverse ? ' DESC' : ''}`] : [];
    return [...nullFlag, `${names[i]}${dir}`];
  });
  let where: Sql = raw('TRUE');
  if (cursor) {
    if (cursor.values.length !== keys.length) throw badRequest('_cursor does not match this search', '_cursor');
    const terms: Array<{ col: string; value: Sql; op: '>' | '<' }> = [];
    keys.forEach((k, i) => {
      const v = cursor.values[i];
      const after = (k.desc !== reverse) ? '<' : '>';
      if (k.nullable) terms.push({ col: `(${names[i]} IS NULL)`, value: sql`${v === null}::boolean`, op: reverse ? '<' : '>' });
      terms.push({ col: names[i], value: sql`${v}::${raw(k.cast)}`, op: after });
    });
    const ors: Sql[] = terms.map((t, i) => and([...terms.slice(0, i).map((p) => sql`${raw(p.col)} IS NOT DISTINCT FROM ${p.value}`), sql`${raw(t.col)} ${raw(t.op)} ${t.value}`]));
    where = or(ors);
  }
  const body = perType.length === 1 ? perType[0].sql : join(perType.map((p) => sql`(${p.sql})`), ' UNION ALL ');
  const textKeys = keys.map((k, i) => `${names[i]}::text AS c${i}`).join(', ');
  return {
    query: sql`SELECT q.*, ${raw(textKeys)} FROM (${body}) q WHERE ${where} ORDER BY ${raw(order.join(', '))} LIMIT ${limit}`,
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
