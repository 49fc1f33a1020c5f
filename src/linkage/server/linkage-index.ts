import type { Knex } from 'knex';
import type { LinkageTokens } from '../tokens/linkage-tokens';

/**
 * Blocks larger than this are skipped at lookup: they carry little linkage signal (e.g. a MinHash band of a very
 * common name) and bound the work per record; the offline engine uses 2,000 over a whole file, the server 500 per write.
 */
export const MAX_BLOCK = 500;
/** At most this many candidates (most shared blocking keys first) are scored per record; true matches share many keys. */
export const MAX_CANDIDATES = 50;

/** One Patient's stored linkage record. */
export interface StoredLinkageRecord {
  patientId: string;
  /** 'phi': tokens computed by Tessera from the Patient's PHI; 'site': submitted by a clinic as site tokens. */
  source: 'phi' | 'site';
  site?: string;
  tokens: LinkageTokens;
}

/** Serialises linkers that share a blocking key (concurrent creates of one person at two clinics), one statement, locks in a fixed order. */
export async function lockBlockingKeys(trx: Knex.Transaction, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await trx.raw(
    `SELECT count(pg_advisory_xact_lock(h)) FROM (SELECT DISTINCT hashtextextended('linkage:' || k, 0) AS h FROM unnest(?::text[]) AS k ORDER BY h) AS s`,
    [keys],
  );
}

/** Stores a record's tokens and replaces its blocking keys. */
export async function saveLinkageRecord(trx: Knex.Transaction, rec: StoredLinkageRecord, keys: string[]): Promise<void> {
  await trx.raw(
    `WITH r AS (INSERT INTO linkage_record (patient_id, source, site, tokens, updated_at) VALUES (?, ?, ?, ?::jsonb, now())
       ON CONFLICT (patient_id) DO UPDATE SET source = EXCLUDED.source, site = EXCLUDED.site, tokens = EXCLUDED.tokens, updated_at = now()),
     d AS (DELETE FROM linkage_block WHERE patient_id = ? AND NOT (block_key = ANY(?::text[])))
     INSERT INTO linkage_block (block_key, patient_id) SELECT DISTINCT k, ? FROM unnest(?::text[]) AS k ON CONFLICT DO NOTHING`,
    [rec.patientId, rec.source, rec.site ?? null, JSON.stringify(rec.tokens), rec.patientId, keys, rec.patientId, keys],
  );
}

/** Forgets a record (its Patient was deleted or lost its identifying data). */
export async function deleteLinkageRecord(trx: Knex.Transaction, patientId: string): Promise<void> {
  await trx.raw('WITH d AS (DELETE FROM linkage_block WHERE patient_id = ?) DELETE FROM linkage_record WHERE patient_id = ?', [patientId, patientId]);
}

/** The stored record of one patient, or undefined. */
export async function loadLinkageRecord(db: Knex | Knex.Transaction, patientId: string): Promise<StoredLinkageRecord | undefined> {
  return (await loadLinkageRecords(db, [patientId]))[0];
}

/** Stored records of the given patients (order not guaranteed). */
export async function loadLinkageRecords(db: Knex | Knex.Transaction, patientIds: string[]): Promise<StoredLinkageRecord[]> {
  if (patientIds.length === 0) return [];
  const rows = (await db('linkage_record').whereIn('patient_id', patientIds).select('patient_id', 'source', 'site', 'tokens')) as Array<{
    patient_id: string;
    source: 'phi' | 'site';
    site: string | null;
    tokens: LinkageTokens | string;
  }>;
  return rows.map((r) => ({
    patientId: r.patient_id,
    source: r.source,
    site: r.site ?? undefined,
    tokens: typeof r.tokens === 'string' ? (JSON.parse(r.tokens) as LinkageTokens) : r.tokens,
  }));
}

/** What the linker needs to know about one record before deciding, read in one round trip. */
export interface LinkContext {
  record?: StoredLinkageRecord;
  personId?: string;
  method?: 'auto' | 'manual' | 'merge' | 'new';
  /** The record is the source of a merge (its person is fixed). */
  merged: boolean;
  /** Patients a "different" decision separates it from, and their persons. */
  differentFrom: string[];
  blockedPersons: string[];
}

/** Reads a record's stored tokens, membership, merge state and "different" decisions in one statement. */
export async function loadLinkContext(db: Knex | Knex.Transaction, patientId: string): Promise<LinkContext> {
  const row = (
    await db.raw(
      `WITH d AS (
         SELECT patient_b AS other FROM linkage_decision WHERE patient_a = ? AND decision = 'different'
         UNION SELECT patient_a FROM linkage_decision WHERE patient_b = ? AND decision = 'different')
       SELECT r.source, r.site, r.tokens, m.person_id, m.method,
         EXISTS (SELECT 1 FROM linkage_merge WHERE source_id = ?) AS merged,
         ARRAY(SELECT other FROM d) AS different,
         ARRAY(SELECT DISTINCT l.person_id FROM mpi_person_link l JOIN d ON d.other = l.patient_id) AS blocked
       FROM (SELECT 1) AS one
       LEFT JOIN linkage_record r ON r.patient_id = ?
       LEFT JOIN mpi_person_link m ON m.patient_id = ?`,
      [patientId, patientId, patientId, patientId, patientId],
    )
  ).rows[0] as {
    source: 'phi' | 'site' | null; site: string | null; tokens: LinkageTokens | string | null; person_id: string | null;
    method: LinkContext['method'] | null; merged: boolean; different: string[]; blocked: string[];
  };
  return {
    record: row.source ? { patientId, source: row.source, site: row.site ?? undefined, tokens: typeof row.tokens === 'string' ? (JSON.parse(row.tokens) as LinkageTokens) : row.tokens! } : undefined,
    personId: row.person_id ?? undefined,
    method: row.method ?? undefined,
    merged: row.merged,
    differentFrom: row.different ?? [],
    blockedPersons: row.blocked ?? [],
  };
}

/** A candidate with everything needed to score it. */
export interface CandidateRow {
  record: StoredLinkageRecord;
  personId?: string;
  /** The current Patient content (only for PHI records, when asked for). */
  content?: unknown;
}

/**
 * Candidates sharing at least one blocking key (blocks over MAX_BLOCK skipped), most shared keys first, at most
 * `limit`, without `exclude` — with their tokens, person and (if `withContent`) Patient content, in one statement.
 */
export async function loadCandidates(db: Knex | Knex.Transaction, keys: string[], exclude: string | undefined, withContent: boolean, limit = MAX_CANDIDATES): Promise<CandidateRow[]> {
  if (keys.length === 0) return [];
  const rows = (
    await db.raw(
      `WITH hits AS (
         SELECT k, b.patient_id, count(*) OVER (PARTITION BY k) AS n
         FROM unnest(?::text[]) AS k
         CROSS JOIN LATERAL (SELECT patient_id FROM linkage_block WHERE block_key = k LIMIT ${MAX_BLOCK + 1}) AS b
       ), c AS (
         SELECT patient_id, count(*) AS shared FROM hits WHERE n <= ${MAX_BLOCK} AND patient_id <> ?
         GROUP BY patient_id ORDER BY count(*) DESC, patient_id LIMIT ?
       )
       SELECT c.patient_id, r.source, r.site, r.tokens, m.person_id,
         CASE WHEN ? AND r.source = 'phi' THEN p.content END AS content
       FROM c
       JOIN linkage_record r ON r.patient_id = c.patient_id
       LEFT JOIN mpi_person_link m ON m.patient_id = c.patient_id
       LEFT JOIN "Patient" p ON p.id = c.patient_id AND NOT p.deleted
       ORDER BY c.shared DESC, c.patient_id`,
      [keys, exclude ?? '', limit, withContent],
    )
  ).rows as Array<{ patient_id: string; source: 'phi' | 'site'; site: string | null; tokens: LinkageTokens | string; person_id: string | null; content: unknown }>;
  return rows.map((r) => ({
    record: { patientId: r.patient_id, source: r.source, site: r.site ?? undefined, tokens: typeof r.tokens === 'string' ? (JSON.parse(r.tokens) as LinkageTokens) : r.tokens },
    personId: r.person_id ?? undefined,
    content: typeof r.content === 'string' ? JSON.parse(r.content) : r.content ?? undefined,
  }));
}
