import type { Criterion, SearchValue } from './criteria';
import { LONG_SPAN_MS, tableFor } from './index-tables';
import type { ParamDef } from './param-registry';
import { currentTable } from '../../storage/resource-tables';
import { and, likeEscape, or, raw, sql, type Sql } from './sql';
import { instantText, normalizeString, type Prefix } from './values';
import { canonicalQuantity } from './ucum';

/** Alias generator for one statement (every subquery gets its own, so correlations are unambiguous). */
export class AliasSource {
  private n = 0;
  next(prefix = 'x'): string {
    return `${prefix}${++this.n}`;
  }
}

const ts = (ms: number) => sql`${instantText(ms)}::timestamptz`;

/** Date prefix semantics on a row range [low, high) vs the search range (http://hl7.org/fhir/R4/search.html#prefix). */
function dateCond(x: string, prefix: Prefix, low: number, high: number, now: number): Sql {
  const L = raw(`${x}.low`);
  const H = raw(`${x}.high`);
  const eq = sql`${L} >= ${ts(low)} AND ${H} <= ${ts(high)}`;
  switch (prefix) {
    // low < high for every stored range, so `low < search high` is implied: it bounds the index range
    case 'eq': return sql`${L} >= ${ts(low)} AND ${L} < ${ts(high)} AND ${H} <= ${ts(high)}`;
    case 'ne': return sql`NOT (${eq})`;
    case 'gt': return sql`${H} > ${ts(high)}`;
    case 'lt': return sql`${L} < ${ts(low)}`;
    // the extra conjunct is implied by the disjunction; it gives the planner an index range
    case 'ge': return sql`${H} >= ${ts(low)} AND (${H} > ${ts(high)} OR (${eq}))`;
    case 'le': return sql`${L} < ${ts(high)} AND (${L} < ${ts(low)} OR (${eq}))`;
    case 'sa': return sql`${L} >= ${ts(high)}`;
    case 'eb': return sql`${H} <= ${ts(low)}`;
    case 'ap': {
      const d = Math.max(Math.abs(now - low) * 0.1, high - low);
      return sql`${L} < ${ts(high + d)} AND ${H} > ${ts(low - d)}`;
    }
  }
}

/** Number prefix semantics: a row [low, high] (exact values have low = high) vs value ± half (http://hl7.org/fhir/R4/search.html#number). */
function numberCond(lowCol: string, highCol: string, prefix: Prefix, value: string, half: string): Sql {
  const L = raw(lowCol);
  const H = raw(highCol);
  const v = sql`${value}::numeric`;
  const h = sql`${half}::numeric`;
  const eq = sql`${L} >= ${v} - ${h} AND ${H} < ${v} + ${h}`;
  switch (prefix) {
    case 'eq': return eq;
    case 'ne': return sql`NOT (${eq})`;
    case 'gt': return sql`${H} > ${v}`;
    case 'lt': return sql`${L} < ${v}`;
    case 'ge': return sql`${H} >= ${v}`;
    case 'le': return sql`${L} <= ${v}`;
    case 'sa': return sql`${L} > ${v}`;
    case 'eb': return sql`${H} < ${v}`;
    case 'ap': return sql`${L} <= abs(${v}) * 1.1 + ${v} - abs(${v}) AND ${H} >= ${v} - abs(${v}) * 0.1`;
  }
}

/** The row condition for one search value on index alias `x`. */
function valueCond(x: string, def: ParamDef, modifier: string | undefined, v: SearchValue, now: number): Sql {
  switch (v.kind) {
    case 'string': {
      if (modifier === 'exact') return sql`${raw(x)}.value_exact = ${v.text}`;
      if (modifier === 'contains') return sql`${raw(x)}.value_norm LIKE ${`%${likeEscape(normalizeString(v.text))}%`}`;
      return prefixRange(`${x}.value_norm`, normalizeString(v.text));
    }
    case 'token': {
      if (v.text !== undefined) {
        const n = likeEscape(normalizeString(v.text));
        return sql`(${raw(x)}.text_norm LIKE ${`${n}%`} OR ${raw(x)}.text_norm LIKE ${`% ${n}%`})`;
      }
      if (v.codes) {
        // rows of plain `code` elements carry no system (it is implied by the binding): match on code alone
        return sql`${raw(x)}.code = ANY(${v.codes.map((c) => c.code)}::text[]) AND (${raw(x)}.system IS NULL OR (${raw(x)}.system || '|' || ${raw(x)}.code) = ANY(${v.codes.map((c) => `${c.system ?? ''}|${c.code}`)}::text[]))`;
      }
      const parts: Sql[] = [];
      if (v.typeCode !== undefined) {
        parts.push(sql`${raw(x)}.type_code = ${v.typeCode}`);
        if (v.typeSystem) parts.push(sql`${raw(x)}.type_system = ${v.typeSystem}`);
      }
      if (v.code !== undefined) parts.push(sql`${raw(x)}.code = ${v.code}`);
      if (v.system === null) parts.push(sql`${raw(x)}.system IS NULL`);
      else if (v.system !== undefined) parts.push(sql`${raw(x)}.system = ${v.system}`);
      return and(parts);
    }
    case 'date':
      return dateCond(x, v.prefix, v.range.low, v.range.high, now);
    case 'number':
      return numberCond(`${x}.low`, `${x}.high`, v.prefix, v.num.value, v.num.half);
    case 'quantity': {
      const canon = v.code && (!v.system || v.system === 'http://unitsofmeasure.org') ? canonicalQuantity(Number(v.num.value), v.code) : undefined;
      if (canon) {
        const factor = canon.value / Number(v.num.value || 1);
        const half = Number.isFinite(factor) && Number(v.num.value) !== 0 ? String(Number(v.num.half) * factor) : v.num.half;
        return sql`${raw(x)}.canon_code = ${canon.code} AND ${numberCond(`${x}.canon_low`, `${x}.canon_high`, v.prefix, String(canon.value), half)}`;
      }
      const parts = [numberCond(`${x}.low`, `${x}.high`, v.prefix, v.num.value, v.num.half)];
      if (v.code) parts.push(v.system ? sql`${raw(x)}.code = ${v.code}` : sql`(${raw(x)}.code = ${v.code} OR ${raw(x)}.unit = ${v.code})`);
      if (v.system) parts.push(sql`${raw(x)}.system = ${v.system}`);
      return and(parts);
    }
    case 'reference': {
      const parts: Sql[] = [];
      if (v.url !== undefined) parts.push(sql`${raw(x)}.url = ${v.url}`);
      if (v.type !== undefined) parts.push(sql`${raw(x)}.target_type = ${v.type}`);
      if (v.id !== undefined) parts.push(sql`${raw(x)}.target_id = ${v.id}`);
      if (v.version !== undefined) parts.push(sql`${raw(x)}.target_version = ${v.version}`);
      if (v.type === undefined && v.id !== undefined && def.targets.length) parts.push(sql`${raw(x)}.target_type = ANY(${def.targets}::text[])`);
      if (v.id !== undefined) parts.push(localReference(x, v.localBase));
      return and(parts);
    }
    case 'uri':
      if (modifier === 'above') return sql`left(${v.value}, length(${raw(x)}.value)) = ${raw(x)}.value`;
      if (modifier === 'below') return sql`${raw(x)}.value LIKE ${`${likeEscape(v.value)}%`}`;
      return sql`${raw(x)}.value = ${v.value}`;
    case 'near':
      return sql`public.earth_distance(public.ll_to_earth(${raw(x)}.lat, ${raw(x)}.lng), public.ll_to_earth(${v.lat}::float8, ${v.lng}::float8)) <= ${v.meters}::float8`;
    case 'text':
      return sql`${raw(x)}.tsv @@ websearch_to_tsquery('english', ${normalizeString(v.query)})`;
    case 'composite':
      throw new Error('composite values are handled at criterion level');
  }
}

/**
 * Reference rows that point at this server: relative references (`url` NULL), or absolute ones
 * under `localBase`. `http://other.example/fhir/Patient/1` is another server's Patient/1 and
 * matches only an absolute search value (http://hl7.org/fhir/R4/search.html#reference).
 */
export function localReference(x: string, localBase: string | undefined): Sql {
  if (!localBase) return sql`${raw(x)}.url IS NULL`;
  const prefix = `${localBase.replace(/\/$/, '')}/`;
  return sql`(${raw(x)}.url IS NULL OR left(${raw(x)}.url, ${prefix.length}) = ${prefix})`;
}

/**
 * `col` starts with `prefix`, as a byte-order range (`~>=~`/`~<~`, the text_pattern_ops operators):
 * the same rows as `LIKE 'prefix%'`, but range operators are estimated from the multi-column
 * statistics on (resource_type, param, value_norm), so the planner sees how many rows one
 * parameter's prefix really has (LIKE is estimated from the column across all parameters).
 */
export function prefixRange(col: string, prefix: string): Sql {
  if (prefix === '') return sql`${raw(col)} IS NOT NULL`;
  const upper = nextString(prefix);
  return upper === undefined ? sql`${raw(col)} ~>=~ ${prefix}` : sql`${raw(col)} ~>=~ ${prefix} AND ${raw(col)} ~<~ ${upper}`;
}

/** The least string greater than every string starting with `s` (code point order = UTF-8 byte order). */
export function nextString(s: string): string | undefined {
  const cps = [...s].map((c) => c.codePointAt(0)!);
  while (cps.length) {
    let last = cps.pop()! + 1;
    if (last >= 0xd800 && last <= 0xdfff) last = 0xe000;
    if (last <= 0x10ffff) return String.fromCodePoint(...cps, last);
  }
  return undefined;
}

/** Rows of the current table that are not deleted (the universe for negations). */
function allIds(ctx: AliasSource, type: string, lu = false): { alias: string; from: Sql } {
  const y = ctx.next('r');
  return { alias: y, from: sql`SELECT ${raw(y)}.id${raw(lu ? `, ${y}.last_updated` : '')} FROM ${raw(`"${currentTable(type)}"`)} ${raw(y)} WHERE NOT ${raw(y)}.deleted` };
}

/** Whether idSetSql can also select each match's last_updated (every kind but _has and _list, which select target ids). */
export function hasLastUpdated(c: Criterion): boolean {
  return c.kind !== 'has' && c.kind !== 'list';
}

/** A single-value equality criterion: its rows are one range of an index ending in (last_updated, resource_id). */
export function isOrderedEquality(c: Criterion): boolean {
  return c.kind === 'value' && c.def.type !== 'composite' && c.modifier !== 'not' && c.modifier !== 'not-in' && c.values.length === 1 && isEquality(c.def, c.modifier, c.values[0]);
}

/**
 * A SELECT of the ids of current `type` resources matching one criterion. Value criteria are
 * semi-joins on the index tables (only live resources have index rows); chains and _has nest
 * id sets through sp_reference so the planner can drive them from the most selective side.
 * With `lu` (see hasLastUpdated), the SELECT has a second column, the resource's last_updated: a
 * semi-join on (id, last_updated) can probe the indexes ending in (last_updated, resource_id).
 */
export function idSetSql(ctx: AliasSource, type: string, c: Criterion, now: number, lu = false): Sql {
  const cols = (x: string) => raw(lu ? `${x}.resource_id, ${x}.last_updated` : `${x}.resource_id`);
  switch (c.kind) {
    case 'id': {
      const { alias, from } = allIds(ctx, type, lu);
      return c.not ? sql`${from} AND NOT (${raw(alias)}.id = ANY(${c.ids}::text[]))` : sql`${from} AND ${raw(alias)}.id = ANY(${c.ids}::text[])`;
    }
    case 'missing': {
      const { table, param } = presenceOf(c.def);
      const x = ctx.next();
      const present = sql`SELECT ${cols(x)} FROM ${raw(table)} ${raw(x)} WHERE ${raw(x)}.resource_type = ${type} AND ${raw(x)}.param = ${param}`;
      if (!c.missing) return present;
      const { alias, from } = allIds(ctx, type, lu);
      return sql`${from} AND NOT EXISTS (SELECT 1 FROM ${raw(table)} ${raw(x)} WHERE ${raw(x)}.resource_type = ${type} AND ${raw(x)}.resource_id = ${raw(alias)}.id AND ${raw(x)}.last_updated = ${raw(alias)}.last_updated AND ${raw(x)}.param = ${param})`;
    }
    case 'value': {
      if (c.def.type === 'composite') return unionAll(c.values.map((v) => compositeSql(ctx, type, c.def, v, now, lu)));
      const x = ctx.next();
      const negate = c.modifier === 'not' || c.modifier === 'not-in';
      const { table, cond } = valueRowCond(x, c, now);
      if (!negate) return sql`SELECT ${cols(x)} FROM ${raw(table)} ${raw(x)} WHERE ${raw(x)}.resource_type = ${type} AND ${raw(x)}.param = ${c.def.code} AND ${cond}`;
      const { alias, from } = allIds(ctx, type, lu);
      return sql`${from} AND NOT EXISTS (SELECT 1 FROM ${raw(table)} ${raw(x)} WHERE ${raw(x)}.resource_type = ${type} AND ${raw(x)}.resource_id = ${raw(alias)}.id AND ${raw(x)}.last_updated = ${raw(alias)}.last_updated AND ${raw(x)}.param = ${c.def.code} AND ${cond})`;
    }
    case 'range':
    case 'chain': {
      const rows = matchRows(ctx, ctx.next(), type, c, now)!;
      return sql`SELECT ${cols(rows.alias)} FROM ${rows.source} WHERE ${rows.where}`;
    }
    case 'has': {
      if (lu) throw new Error('_has selects target ids, without their last_updated');
      const x = ctx.next();
      return sql`SELECT ${raw(x)}.target_id FROM sp_reference ${raw(x)} WHERE ${raw(x)}.resource_type = ${c.sourceType} AND ${raw(x)}.param = ${c.refParam.code} AND ${raw(x)}.target_type = ${type} AND ${localReference(x, c.localBase)} AND ${raw(x)}.resource_id IN (${idSetSql(ctx, c.sourceType, c.inner, now)})`;
    }
    case 'list': {
      if (lu) throw new Error('_list selects target ids, without their last_updated');
      const x = ctx.next();
      return sql`SELECT ${raw(x)}.target_id FROM sp_reference ${raw(x)} WHERE ${raw(x)}.resource_type = 'List' AND ${raw(x)}.param = 'item' AND ${raw(x)}.resource_id = ANY(${c.listIds}::text[]) AND ${raw(x)}.target_type = ${type}`;
    }
    case 'compartment': {
      const x = ctx.next();
      return sql`SELECT ${cols(x)} FROM sp_reference ${raw(x)} WHERE ${raw(x)}.target_id = ${c.id} AND ${raw(x)}.target_type = ${c.compartmentType} AND ${raw(x)}.resource_type = ${type} AND ${raw(x)}.param = ANY(${c.params}::text[]) AND ${localReference(x, c.localBase)}`;
    }
  }
}

/** The index table and row condition of a (non-composite) value criterion; `:not`/`:not-in` give the condition to negate. */
function valueRowCond(x: string, c: Extract<Criterion, { kind: 'value' }>, now: number): { table: string; cond: Sql } {
  const modifier = c.modifier === 'not' ? undefined : c.modifier === 'not-in' ? 'in' : c.modifier;
  const codeOnly = c.def.type === 'token' && !modifier && c.values.length > 1 && c.values.every((v) => v.kind === 'token' && v.system === undefined && v.code !== undefined && v.typeCode === undefined);
  const cond = codeOnly
    ? sql`${raw(x)}.code = ANY(${c.values.map((v) => (v as { code: string }).code)}::text[])`
    : or(c.values.map((v) => valueCond(x, c.def, modifier, v, now)));
  return { table: tableFor(c.def.type), cond };
}

/** Index rows matching a criterion: `FROM source WHERE where`, each with `alias.resource_id` and `alias.last_updated`. */
export interface MatchRows {
  /** The index table (for date windows, the rows come from a UNION over it). */
  table: string;
  param: string;
  alias: string;
  /** `table alias`, or `(SELECT ...) alias`. */
  source: Sql;
  where: Sql;
  ordered: boolean;
}

/**
 * Index rows whose `resource_id`s are the resources matching criterion `c` (a resource may have
 * several), as `FROM table alias WHERE where`; every index row also carries the resource's
 * `last_updated` (date rows also `sort_low`/`sort_high`). `ordered` when the rows are one equality range of an index ending in
 * `(last_updated, resource_id)` (migration 20261123-07), i.e. they can be read in page order.
 * Undefined for criteria that are not rows of one index table (negations, _has, _id, composites).
 */
export function matchRows(ctx: AliasSource, x: string, type: string, c: Criterion, now: number): MatchRows | undefined {
  const head = (param: string, a = x) => sql`${raw(a)}.resource_type = ${type} AND ${raw(a)}.param = ${param}`;
  const rows = (table: string, param: string, where: Sql, ordered = false): MatchRows => ({ table, param, alias: x, source: raw(`${table} ${x}`), where, ordered });
  switch (c.kind) {
    case 'value': {
      if (c.def.type === 'composite' || c.modifier === 'not' || c.modifier === 'not-in') return undefined;
      const { table, cond } = valueRowCond(x, c, now);
      return rows(table, c.def.code, sql`${head(c.def.code)} AND ${cond}`, isOrderedEquality(c));
    }
    case 'range': {
      const window = c.def.type === 'date' ? dateWindow(c.values) : undefined;
      if (window && Number.isFinite(window.from) && Number.isFinite(window.to)) {
        // A two-sided window: rows spanning at most LONG_SPAN_MS that overlap [from, to) start in
        // (from - LONG_SPAN_MS, to): one bounded, index-only range of sp_date_low_idx. Longer rows
        // (periods, years, open ends) come from the partial GiST index on long_span rows.
        const [s, l] = [ctx.next(), ctx.next()];
        const exact = (a: string) => and(c.values.map((v) => valueCond(a, c.def, undefined, v, now)));
        const cols = (a: string) => raw(['resource_id', 'last_updated', 'sort_low', 'sort_high'].map((col) => `${a}.${col}`).join(', '));
        const short = sql`SELECT ${cols(s)} FROM sp_date ${raw(s)} WHERE ${head(c.def.code, s)} AND NOT ${raw(s)}.long_span AND ${raw(s)}.low > ${ts(window.from - LONG_SPAN_MS)} AND ${raw(s)}.low < ${ts(window.to)} AND ${exact(s)}`;
        const long = sql`SELECT ${cols(l)} FROM sp_date ${raw(l)} WHERE ${head(c.def.code, l)} AND ${raw(l)}.long_span AND tstzrange(${raw(l)}.low, ${raw(l)}.high) && tstzrange(${ts(window.from)}, ${ts(window.to)}) AND ${exact(l)}`;
        return { table: 'sp_date', param: c.def.code, alias: x, source: sql`(${short} UNION ALL ${long}) ${raw(x)}`, where: raw('TRUE'), ordered: false };
      }
      const conds = c.values.map((v) => valueCond(x, c.def, undefined, v, now));
      const overlap = c.def.type === 'date' ? rangeOverlap(x, c.values) : undefined;
      if (overlap) conds.push(overlap);
      return rows(tableFor(c.def.type), c.def.code, sql`${head(c.def.code)} AND ${and(conds)}`);
    }
    case 'chain': {
      const targets = c.targets.map((t) => sql`${raw(x)}.target_type = ${t.type} AND ${raw(x)}.target_id IN (${idSetSql(ctx, t.type, t.inner, now)})`);
      return rows('sp_reference', c.def.code, sql`${head(c.def.code)} AND ${or(targets)} AND ${localReference(x, c.localBase)}`);
    }
    default:
      return undefined;
  }
}

/** Whether a single search value is one equality range of its table's page-order index. */
function isEquality(def: ParamDef, modifier: string | undefined, v: SearchValue): boolean {
  switch (v.kind) {
    case 'token': return !modifier && v.code !== undefined && v.text === undefined && !v.codes && v.typeCode === undefined;
    case 'reference': return v.id !== undefined && (v.type !== undefined) && v.url === undefined;
    case 'string': return modifier === 'exact';
    case 'uri': return !modifier;
    default: return false;
  }
}

function unionAll(parts: Sql[]): Sql {
  return parts.reduce((acc, p, i) => (i === 0 ? p : sql`${acc} UNION ALL ${p}`));
}

/** Where presence of a parameter is recorded (for :missing). */
function presenceOf(def: ParamDef): { table: string; param: string } {
  if (def.type === 'composite') return { table: tableFor(def.components?.[0]?.def.type ?? 'token'), param: `${def.code}$0` };
  return { table: tableFor(def.type), param: def.code };
}

/** A composite value: every component matches rows of the same composite node (same `grp`). */
function compositeSql(ctx: AliasSource, type: string, def: ParamDef, v: SearchValue, now: number, lu: boolean): Sql {
  if (v.kind !== 'composite') throw new Error('composite value expected');
  const comps = def.components ?? [];
  const aliases = comps.map(() => ctx.next());
  const from = comps.map((cp, i) => {
    const x = aliases[i];
    const t = raw(`${tableFor(cp.def.type)} ${x}`);
    if (i === 0) return t;
    return sql`JOIN ${t} ON ${raw(x)}.resource_type = ${raw(aliases[0])}.resource_type AND ${raw(x)}.resource_id = ${raw(aliases[0])}.resource_id AND ${raw(x)}.grp = ${raw(aliases[0])}.grp AND ${raw(x)}.param = ${`${def.code}$${i}`}`;
  });
  const conds = comps.map((cp, i) => valueCond(aliases[i], cp.def, undefined, v.parts[i], now));
  return sql`SELECT ${raw(lu ? `${aliases[0]}.resource_id, ${aliases[0]}.last_updated` : `${aliases[0]}.resource_id`)} FROM ${from.reduce((a, b) => sql`${a} ${b}`)} WHERE ${raw(aliases[0])}.resource_type = ${type} AND ${raw(aliases[0])}.param = ${`${def.code}$0`} AND ${and(conds)}`;
}

/**
 * Merges AND-ed single-value criteria on the same date/number/quantity parameter into one `range`
 * criterion, so `date=ge2020-03-01&date=lt2020-03-08` is one bounded index range the planner can
 * estimate. Both bounds must then hold for the same value of the element (for single-valued
 * elements, the usual case, this is exactly the spec's meaning).
 */
export function mergeRanges(criteria: Criterion[]): Criterion[] {
  const out: Criterion[] = [];
  const groups = new Map<string, Extract<Criterion, { kind: 'range' }>>();
  for (const c of criteria) {
    if (c.kind === 'value' && !c.modifier && c.values.length === 1 && ['date', 'number', 'quantity'].includes(c.def.type) && c.values[0].kind !== 'composite') {
      const g = groups.get(c.def.code);
      if (g) {
        g.values.push(c.values[0]);
        continue;
      }
      const range: Extract<Criterion, { kind: 'range' }> = { kind: 'range', def: c.def, values: [c.values[0]] };
      groups.set(c.def.code, range);
      out.push(range);
    } else out.push(c);
  }
  return out;
}

/**
 * For merged date bounds, the implied overlap `tstzrange(low, high) && [from, to)`: redundant for
 * correctness, but range statistics on the GiST expression index give the planner a real estimate
 * of two-sided date windows (which independent `low`/`high` bounds do not).
 */
function rangeOverlap(x: string, values: SearchValue[]): Sql | undefined {
  const w = dateWindow(values);
  if (!w) return undefined;
  return sql`tstzrange(${raw(x)}.low, ${raw(x)}.high) && tstzrange(${instantText(w.from)}::timestamptz, ${instantText(w.to)}::timestamptz)`;
}

/** The window [from, to) every matching row must overlap, for AND-ed date bounds; undefined when unbounded or empty. */
function dateWindow(values: SearchValue[]): { from: number; to: number } | undefined {
  let from = -Infinity;
  let to = Infinity;
  for (const v of values) {
    if (v.kind !== 'date') return undefined;
    const { low, high } = v.range;
    switch (v.prefix) {
      case 'eq': from = Math.max(from, low); to = Math.min(to, high); break;
      case 'ge': case 'gt': case 'sa': from = Math.max(from, low); break;
      case 'le': case 'lt': case 'eb': to = Math.min(to, high); break;
      default: return undefined;
    }
  }
  if (from === -Infinity && to === Infinity) return undefined;
  if (from >= to) return undefined;
  return { from, to };
}
