import type { Resource } from 'fhir/r4';

/** Index rows of one resource version, by table; storage adds `resource_type` and `resource_id`. */
export type IndexRows = Record<string, Array<Record<string, unknown>>>;

/**
 * What storage needs from the search module to keep index rows in step with content: the search
 * module owns the index tables and how values are extracted; storage writes them in the same
 * statement/transaction as the resource (one write path, ready for per-patient encryption).
 */
export interface ResourceIndexer {
  /** Every table holding per-resource index rows (keyed by resource_type, resource_id). */
  readonly tables: readonly string[];
  /** Rows to store for this version of the resource. */
  extract(resource: Resource): IndexRows;
}

/** An indexer that indexes nothing (storage-only tests). */
export const NO_INDEX: ResourceIndexer = { tables: [], extract: () => ({}) };
