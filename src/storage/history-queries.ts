import type { Knex } from 'knex';
import type { Resource } from 'fhir/r4';
import { HISTORY_TABLE } from './resource-tables';
import type { Db, WriteMethod } from './resource-store';

/** One history entry, newest first in every listing. */
export interface HistoryEntry {
  seq: string;
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: Date;
  deleted: boolean;
  method: WriteMethod;
  content?: Resource;
}

export interface HistoryQuery {
  resourceType?: string;
  id?: string;
  /** Only versions written at or after this instant. */
  since?: Date;
  /** Only versions that were current at this instant. */
  at?: Date;
  /** Keyset cursor: only entries older than this sequence number. */
  before?: string;
  count: number;
}

/** Lists versions (instance, type or system level) newest first, keyset-paged on the history sequence. */
export async function listHistory(db: Db, q: HistoryQuery): Promise<HistoryEntry[]> {
  const query = (db as Knex)(`${HISTORY_TABLE} as h`).select('h.seq', 'h.resource_type', 'h.id', 'h.version_id', 'h.last_updated', 'h.deleted', 'h.method', 'h.content');
  if (q.resourceType) query.where('h.resource_type', q.resourceType);
  if (q.id) query.where('h.id', q.id);
  if (q.since) query.where('h.last_updated', '>=', q.since);
  if (q.at) {
    query.where('h.last_updated', '<=', q.at).whereNotExists(function newer() {
      this.select(1)
        .from(`${HISTORY_TABLE} as n`)
        .whereRaw('n.resource_type = h.resource_type AND n.id = h.id AND n.version_id > h.version_id AND n.last_updated <= ?', [q.at!]);
    });
  }
  if (q.before) query.where('h.seq', '<', q.before);
  const rows = (await query.orderBy('h.seq', 'desc').limit(q.count)) as Array<{
    seq: string | number;
    resource_type: string;
    id: string;
    version_id: number;
    last_updated: Date | string;
    deleted: boolean;
    method: WriteMethod;
    content: Resource | null;
  }>;
  return rows.map((r) => ({
    seq: String(r.seq),
    resourceType: r.resource_type,
    id: r.id,
    versionId: r.version_id,
    lastUpdated: new Date(r.last_updated),
    deleted: r.deleted,
    method: r.method,
    content: r.content ?? undefined,
  }));
}
