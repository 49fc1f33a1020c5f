import type { Resource } from 'fhir/r4';
import type { IndexRows, ResourceIndexer } from '../../storage/resource-indexer';
import { LONG_SPAN_MS, SEARCH_INDEX_TABLES, tableFor } from './index-tables';
import { getParam, paramsOf, type ParamDef } from './param-registry';
import { valueRows, type Row } from './extract-values';
import { normalizeString } from './values';

/** String content of a resource (for `_content`; the narrative is added separately, as plain text). */
function collectText(v: unknown, out: string[], key = ''): void {
  if (typeof v === 'string') {
    if (key !== 'div' && key !== 'reference' && key !== 'id' && !/^\d{4}-/.test(v) && !/^https?:/.test(v)) out.push(v);
  } else if (Array.isArray(v)) for (const x of v) collectText(x, out, key);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k !== 'text' || typeof x === 'string') collectText(x, out, k);
}

/** Narrative div stripped of markup (for `_text`). */
function narrativeText(resource: Resource): string {
  const div = (resource as { text?: { div?: string } }).text?.div ?? '';
  return div.replace(/<[^>]*>/g, ' ').replace(/&[a-z]+;/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Extracts the index rows of one parameter of a resource (used for every parameter kind but text). */
function extractParam(def: ParamDef, resource: Resource, tables: IndexRows, grpCounter: { n: number }): void {
  if (def.type === 'composite') {
    const full = getParam(resource.resourceType, def.code);
    if (!full?.components?.length) return;
    for (const path of def.paths) {
      for (const node of path(resource)) {
        const grp = ++grpCounter.n;
        full.components.forEach((c, i) => {
          const rows: Row[] = [];
          valueRows(c.def.type, c.path(node.value), undefined, rows, []);
          const table = tableFor(c.def.type);
          for (const r of rows) (tables[table] ??= []).push({ ...r, param: `${def.code}$${i}`, grp });
        });
      }
    }
    return;
  }
  const rows: Row[] = [];
  const idRows: Row[] = [];
  for (const path of def.paths) valueRows(def.type, path(resource), path.refType, rows, idRows);
  if (rows.length) {
    const table = tableFor(def.type);
    const list = (tables[table] ??= []);
    const seen = new Set<string>();
    for (const r of rows) {
      const key = JSON.stringify(r);
      if (seen.has(key)) continue;
      seen.add(key);
      list.push({ ...r, param: def.code });
    }
  }
  if (idRows.length) {
    const list = (tables.sp_token ??= []);
    for (const r of idRows) list.push({ ...r, param: `${def.code}:identifier` });
  }
}

const instantMs = (t: unknown) => (t === 'infinity' ? Infinity : t === '-infinity' ? -Infinity : Date.parse(String(t)));

/**
 * `_sort` keys of date parameters, on every date row: `sort_low` = the earliest `low` and
 * `sort_high` = the latest `high` among the resource's rows of that parameter (what `_sort=date`
 * and `_sort=-date` order by), so a search driven by a date criterion has its sort key in the row;
 * and `long_span` (more than 24 h between low and high, or an open end).
 */
function addDateSortKeys(rows: Array<Record<string, unknown>>): void {
  const byParam = new Map<unknown, { low: unknown; high: unknown }>();
  for (const r of rows) {
    const k = byParam.get(r.param);
    if (!k) byParam.set(r.param, { low: r.low, high: r.high });
    else {
      if (instantMs(r.low) < instantMs(k.low)) k.low = r.low;
      if (instantMs(r.high) > instantMs(k.high)) k.high = r.high;
    }
  }
  for (const r of rows) {
    const k = byParam.get(r.param)!;
    r.sort_low = k.low;
    r.sort_high = k.high;
    r.long_span = !(instantMs(r.high) - instantMs(r.low) <= LONG_SPAN_MS);
  }
}

/**
 * The ResourceIndexer storage calls on every write: index rows for every R4 parameter of the type,
 * each with the version's `last_updated` (from `meta.lastUpdated`).
 */
export function createIndexer(): ResourceIndexer {
  return {
    tables: SEARCH_INDEX_TABLES,
    extract(resource: Resource): IndexRows {
      const tables: IndexRows = {};
      const grp = { n: 0 };
      for (const def of paramsOf(resource.resourceType).values()) {
        if (def.type === 'text') continue;
        extractParam(def, resource, tables, grp);
      }
      const content: string[] = [];
      collectText(resource, content);
      const narrative = narrativeText(resource);
      if (narrative) content.push(narrative);
      const text = tables.sp_text ?? (tables.sp_text = []);
      if (content.length) text.push({ param: '_content', value: normalizeString(content.join(' ')).slice(0, 100_000) });
      if (narrative) text.push({ param: '_text', value: narrative.slice(0, 100_000) });
      // Every row carries the version's last_updated: the default page order read from the index
      // (migration 20261123-07). Storage always sets meta.lastUpdated before indexing.
      const lastUpdated = resource.meta?.lastUpdated;
      if (!lastUpdated) throw new Error('the indexer needs meta.lastUpdated of the version being written');
      for (const rows of Object.values(tables)) for (const row of rows) row.last_updated = lastUpdated;
      addDateSortKeys(tables.sp_date ?? []);
      return tables;
    },
  };
}
