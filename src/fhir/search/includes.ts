import type { Knex } from 'knex';
import type { Resource } from 'fhir/r4';
import { currentTable, HISTORY_TABLE } from '../../storage/resource-tables';
import type { IncludeSpec } from './criteria';
import { paramsOf } from './param-registry';

/** Upper bound on included resources per page (protects the server from `*` fan-out). */
export const MAX_INCLUDES = 1000;
const MAX_ITERATIONS = 4;

type Db = Knex | Knex.Transaction;
const key = (r: Resource) => `${r.resourceType}/${r.id}`;

function referenceParams(sourceType: string, param: string): string[] {
  if (param !== '*') return [param];
  return [...paramsOf(sourceType).values()].filter((d) => d.type === 'reference').map((d) => d.code);
}

/** Loads current (or, for versioned references, historical) resources by reference. */
async function load(db: Db, refs: Array<{ type: string; id: string; version: string | null }>): Promise<Resource[]> {
  const out: Resource[] = [];
  const byType = new Map<string, Set<string>>();
  const versioned: typeof refs = [];
  for (const r of refs) {
    if (r.version) versioned.push(r);
    else {
      if (!byType.has(r.type)) byType.set(r.type, new Set());
      byType.get(r.type)!.add(r.id);
    }
  }
  for (const [type, ids] of byType) {
    let table: string;
    try {
      table = currentTable(type);
    } catch {
      continue;
    }
    const rows = (await db.raw(`SELECT content FROM "${table}" WHERE id = ANY(?::text[]) AND NOT deleted`, [[...ids]]).catch(() => ({ rows: [] }))) as { rows: Array<{ content: Resource | string }> };
    for (const row of rows.rows) out.push(typeof row.content === 'string' ? JSON.parse(row.content) : row.content);
  }
  for (const v of versioned) {
    const versionNumber = Number(v.version);
    if (!Number.isInteger(versionNumber)) continue;
    const rows = (await db.raw(`SELECT content FROM ${HISTORY_TABLE} WHERE resource_type = ? AND id = ? AND version_id = ? AND NOT deleted`, [v.type, v.id, versionNumber])) as { rows: Array<{ content: Resource | string }> };
    for (const row of rows.rows) out.push(typeof row.content === 'string' ? JSON.parse(row.content) : row.content);
  }
  return out;
}

/**
 * Resolves `_include` and `_revinclude` (http://hl7.org/fhir/R4/search.html#include) for the page's
 * matches, via the reference index. `:iterate` specs are re-applied to included resources until no
 * new ones appear (bounded). Returns resources not already among `matches`.
 */
export async function resolveIncludes(db: Db, matches: Resource[], specs: IncludeSpec[], localBase: string): Promise<Resource[]> {
  // only references to this server: relative ones, or absolute ones under its base
  const prefix = `${localBase.replace(/\/$/, '')}/`;
  const local = `(url IS NULL OR left(url, ${prefix.length}) = ?)`;
  if (specs.length === 0 || matches.length === 0) return [];
  const seen = new Set(matches.map(key));
  const included: Resource[] = [];
  let frontier = matches;
  for (let round = 0; round < MAX_ITERATIONS && frontier.length && included.length < MAX_INCLUDES; round++) {
    const active = specs.filter((s) => round === 0 || s.iterate);
    if (active.length === 0) break;
    const found: Resource[] = [];
    for (const spec of active) {
      if (!spec.rev) {
        const ids = frontier.filter((r) => r.resourceType === spec.sourceType).map((r) => r.id!);
        if (ids.length === 0) continue;
        const params = referenceParams(spec.sourceType, spec.param);
        const rows = (await db.raw(
          `SELECT DISTINCT target_type, target_id, target_version FROM sp_reference
           WHERE resource_type = ? AND resource_id = ANY(?::text[]) AND param = ANY(?::text[]) AND target_id IS NOT NULL AND target_type IS NOT NULL AND ${local}${spec.targetType ? ' AND target_type = ?' : ''} LIMIT ?`,
          [spec.sourceType, ids, params, prefix, ...(spec.targetType ? [spec.targetType] : []), MAX_INCLUDES],
        )) as { rows: Array<{ target_type: string; target_id: string; target_version: string | null }> };
        found.push(...(await load(db, rows.rows.map((r) => ({ type: r.target_type, id: r.target_id, version: r.target_version })))));
      } else {
        const byType = new Map<string, string[]>();
        for (const r of frontier) {
          if (!byType.has(r.resourceType)) byType.set(r.resourceType, []);
          byType.get(r.resourceType)!.push(r.id!);
        }
        const params = referenceParams(spec.sourceType, spec.param);
        for (const [targetType, ids] of byType) {
          if (spec.targetType && spec.targetType !== targetType) continue;
          const rows = (await db.raw(
            `SELECT DISTINCT resource_id FROM sp_reference WHERE target_id = ANY(?::text[]) AND target_type = ? AND resource_type = ? AND param = ANY(?::text[]) AND ${local} LIMIT ?`,
            [ids, targetType, spec.sourceType, params, prefix, MAX_INCLUDES],
          )) as { rows: Array<{ resource_id: string }> };
          found.push(...(await load(db, rows.rows.map((r) => ({ type: spec.sourceType, id: r.resource_id, version: null })))));
        }
      }
    }
    const fresh: Resource[] = [];
    for (const r of found) {
      const k = key(r);
      if (seen.has(k)) continue;
      seen.add(k);
      fresh.push(r);
    }
    included.push(...fresh);
    frontier = fresh;
  }
  return included.slice(0, MAX_INCLUDES);
}
