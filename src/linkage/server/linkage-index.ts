import type { Knex } from 'knex';
import type { LinkageTokens } from '../tokens/linkage-tokens';

/**
 * Blocks larger than this are skipped at lookup: they carry little linkage signal (e.g. a MinHash band of a very
 * common name) and bound the work per record; the offline engine uses 2,000 over a whole file, the server 500 per write.
 */
export const MAX_BLOCK = 500;
/**
 * At most this many candidates (most shared blocking keys first) are scored per record; true matches share many keys.
 * Each candidate costs a few random page reads (its tokens, person and Patient); 20 rather than 50 took linkage from
 * 17.9–21.5 to 15.9 ms per create at 300,000 persons with the same links (bench/RESULTS.md).
 */
export const MAX_CANDIDATES = 20;

/** One Patient's stored linkage record. */
export interface StoredLinkageRecord {
  patientId: string;
  /** 'phi': tokens computed by Tessera from the Patient's PHI; 'site': submitted by a clinic as site tokens. */
  source: 'phi' | 'site';
  site?: string;
  tokens: LinkageTokens;
}

/** How a transaction holds the linkage locks. */
export type LinkageLockMode = 'keys' | 'all';

/**
 * Above this many blocking keys a batch takes the one exclusive linkage lock instead of a lock per key: Postgres keeps
 * advisory locks in a shared table of ~64 × max_connections slots, which a bulk import's keys (27 per record) would
 * exhaust ("out of shared memory").
 */
export const MAX_KEY_LOCKS = 256;

const ALL_KEYS = "hashtextextended('linkage:*', 0)";

/**
 * Serialises linkers that share a blocking key (concurrent creates of one person at two clinics): a shared lock on
 * the whole index, then one lock per key in a fixed order — one statement. Keys whose blocks are known to be over
 * MAX_BLOCK (`oversized`, block hashes as decimal strings) are not locked: candidate lookups skip those blocks, so no
 * two records find each other through them and locking them would only serialise unrelated creates (e.g. every
 * "John" created at once). `lockAllKeys` takes the whole index
 * exclusively instead (bulk imports), so it excludes every per-key linker.
 */
export async function lockBlockingKeys(trx: Knex.Transaction, keys: string[], oversized: ReadonlySet<string> = new Set()): Promise<void> {
  if (keys.length === 0) return;
  await trx.raw(
    `SELECT count(x) FROM (
       SELECT pg_advisory_xact_lock_shared(${ALL_KEYS})::text AS x
       UNION ALL
       SELECT pg_advisory_xact_lock(h)::text FROM (
         SELECT DISTINCT hashtextextended('linkage:' || k, 0) AS h FROM unnest(?::text[]) AS k
         WHERE NOT (hashtextextended(k, 0)::text = ANY(?::text[])) ORDER BY h) AS s
     ) AS locks`,
    [keys, [...oversized]],
  );
}

/** The exclusive lock on the whole blocking-key index, until the transaction ends (see lockBlockingKeys). */
export async function lockAllKeys(trx: Knex.Transaction): Promise<void> {
  await trx.raw(`SELECT pg_advisory_xact_lock(${ALL_KEYS})`);
}

/** Stores a record's tokens and replaces its blocking keys. */
export async function saveLinkageRecord(trx: Knex.Transaction, rec: StoredLinkageRecord, keys: string[]): Promise<void> {
  await trx.raw(
    `WITH r AS (INSERT INTO linkage_record (patient_id, source, site, tokens, updated_at) VALUES (?, ?, ?, ?::jsonb, now())
       ON CONFLICT (patient_id) DO UPDATE SET source = EXCLUDED.source, site = EXCLUDED.site, tokens = EXCLUDED.tokens, updated_at = now()),
     d AS (DELETE FROM linkage_block WHERE patient_id = ? AND NOT (block_hash = ANY(ARRAY(SELECT hashtextextended(k, 0) FROM unnest(?::text[]) AS k))))
     INSERT INTO linkage_block (block_hash, patient_id) SELECT DISTINCT hashtextextended(k, 0), ? FROM unnest(?::text[]) AS k ON CONFLICT DO NOTHING`,
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
         CROSS JOIN LATERAL (SELECT patient_id FROM linkage_block WHERE block_hash = hashtextextended(k, 0) LIMIT ${MAX_BLOCK + 1}) AS b
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

/** What `saveAndFindCandidates` found: the record's context before the write, and its candidates unless nothing is to be decided. */
export interface LinkStep {
  ctx: LinkContext;
  /**
   * True when there is nothing to decide: the identifying data is unchanged and already placed, or the record's
   * person is fixed by a clerical decision (manual link, merge). No candidates are read then.
   */
  settled: boolean;
  candidates: CandidateRow[];
  /** Block hashes (decimal strings) of the record's keys whose blocks were over MAX_BLOCK (skipped). */
  oversized: string[];
}

/**
 * The linker's one read-and-write statement (after `lockBlockingKeys`): reads the record's stored tokens, membership,
 * merge state and "different" decisions, stores its new tokens and blocking keys when they changed, and — unless
 * the record is settled — reads its candidates as `loadCandidates` does (the write is not visible to the read, and
 * the record itself is excluded).
 */
export async function saveAndFindCandidates(trx: Knex.Transaction, rec: StoredLinkageRecord, keys: string[], withContent: boolean, limit = MAX_CANDIDATES): Promise<LinkStep> {
  const id = rec.patientId;
  const tokens = JSON.stringify(rec.tokens);
  const row = (
    await trx.raw(
      `WITH prev AS (SELECT source, site, tokens FROM linkage_record WHERE patient_id = :id),
       link AS (SELECT person_id, method FROM mpi_person_link WHERE patient_id = :id),
       merged AS (SELECT EXISTS (SELECT 1 FROM linkage_merge WHERE source_id = :id) AS v),
       d AS (
         SELECT patient_b AS other FROM linkage_decision WHERE patient_a = :id AND decision = 'different'
         UNION SELECT patient_a FROM linkage_decision WHERE patient_b = :id AND decision = 'different'),
       st AS (SELECT EXISTS (SELECT 1 FROM prev WHERE prev.source = :source AND prev.site IS NOT DISTINCT FROM :site::text AND prev.tokens = :tokens::jsonb) AS unchanged),
       settled AS (
         SELECT ((SELECT unchanged FROM st) AND EXISTS (SELECT 1 FROM link))
           OR EXISTS (SELECT 1 FROM link WHERE method IN ('manual', 'merge')) OR (SELECT v FROM merged) AS v),
       keys AS (SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest(:keys::text[]) AS k),
       w AS (
         INSERT INTO linkage_record (patient_id, source, site, tokens, updated_at)
         SELECT :id, :source, :site::text, :tokens::jsonb, now() WHERE NOT (SELECT unchanged FROM st)
         ON CONFLICT (patient_id) DO UPDATE SET source = EXCLUDED.source, site = EXCLUDED.site, tokens = EXCLUDED.tokens, updated_at = now()),
       bd AS (DELETE FROM linkage_block WHERE patient_id = :id AND NOT (SELECT unchanged FROM st) AND NOT (block_hash IN (SELECT h FROM keys))),
       bi AS (INSERT INTO linkage_block (block_hash, patient_id) SELECT h, :id FROM keys WHERE NOT (SELECT unchanged FROM st) ON CONFLICT DO NOTHING),
       hits AS (
         SELECT keys.h, b.patient_id, count(*) OVER (PARTITION BY keys.h) AS n
         FROM keys CROSS JOIN LATERAL (SELECT patient_id FROM linkage_block WHERE block_hash = keys.h LIMIT ${MAX_BLOCK + 1}) AS b
         WHERE NOT (SELECT v FROM settled)),
       c AS (
         SELECT patient_id, count(*) AS shared FROM hits WHERE n <= ${MAX_BLOCK} AND patient_id <> :id
         GROUP BY patient_id ORDER BY count(*) DESC, patient_id LIMIT :limit),
       cand AS (
         SELECT c.patient_id, c.shared, r.source, r.site, r.tokens, m.person_id,
           CASE WHEN :withContent AND r.source = 'phi' THEN p.content END AS content
         FROM c
         JOIN linkage_record r ON r.patient_id = c.patient_id
         LEFT JOIN mpi_person_link m ON m.patient_id = c.patient_id
         LEFT JOIN "Patient" p ON p.id = c.patient_id AND NOT p.deleted)
       SELECT (SELECT row_to_json(prev) FROM prev) AS prev, (SELECT row_to_json(link) FROM link) AS link,
         (SELECT v FROM merged) AS merged, (SELECT v FROM settled) AS settled,
         ARRAY(SELECT other FROM d) AS different,
         ARRAY(SELECT DISTINCT l.person_id FROM mpi_person_link l JOIN d ON d.other = l.patient_id) AS blocked,
         (SELECT json_agg(cand ORDER BY cand.shared DESC, cand.patient_id) FROM cand) AS candidates,
         ARRAY(SELECT DISTINCT h::text FROM hits WHERE n > ${MAX_BLOCK}) AS oversized`,
      { id, source: rec.source, site: rec.site ?? null, tokens, keys, limit, withContent },
    )
  ).rows[0] as {
    prev: { source: 'phi' | 'site'; site: string | null; tokens: LinkageTokens } | null;
    link: { person_id: string; method: LinkContext['method'] } | null;
    merged: boolean;
    settled: boolean;
    different: string[] | null;
    blocked: string[] | null;
    candidates: Array<{ patient_id: string; source: 'phi' | 'site'; site: string | null; tokens: LinkageTokens; person_id: string | null; content: unknown }> | null;
    oversized: string[] | null;
  };
  const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
  const prev = row.prev ? json(row.prev) : null;
  const link = row.link ? json(row.link) : null;
  return {
    ctx: {
      record: prev ? { patientId: id, source: prev.source, site: prev.site ?? undefined, tokens: prev.tokens } : undefined,
      personId: link?.person_id ?? undefined,
      method: link?.method ?? undefined,
      merged: row.merged,
      differentFrom: row.different ?? [],
      blockedPersons: row.blocked ?? [],
    },
    settled: row.settled,
    oversized: row.oversized ?? [],
    candidates: (row.candidates ? json(row.candidates) : []).map((r) => ({
      record: { patientId: r.patient_id, source: r.source, site: r.site ?? undefined, tokens: r.tokens },
      personId: r.person_id ?? undefined,
      content: r.content ?? undefined,
    })),
  };
}

/** A new record of a batch (`saveAndFindCandidatesMany`). */
export interface NewRecord {
  patientId: string;
  tokens: LinkageTokens;
  keys: string[];
}

/**
 * The batch form of `saveAndFindCandidates` for records that have never been linked (Patients created in this
 * transaction): stores all their tokens and blocking keys and reads every record's candidates among the records
 * stored before, in one statement. Candidates within the batch are the caller's to find (the statement does not
 * see its own writes). Returns candidates per input index, most shared keys first, at most `limit` each.
 */
export async function saveAndFindCandidatesMany(
  trx: Knex.Transaction,
  recs: NewRecord[],
  withContent: boolean,
  limit = MAX_CANDIDATES,
): Promise<{ candidates: CandidateRow[][]; oversized: string[] }> {
  if (recs.length === 0) return { candidates: [], oversized: [] };
  const input = JSON.stringify(recs.map((r, i) => ({ i, patient_id: r.patientId, tokens: r.tokens, keys: r.keys })));
  const row = (
    await trx.raw(
      `WITH input AS (SELECT * FROM jsonb_to_recordset(:input::jsonb) AS x(i int, patient_id text, tokens jsonb, keys text[])),
       w AS (
         INSERT INTO linkage_record (patient_id, source, site, tokens, updated_at) SELECT patient_id, 'phi', NULL, tokens, now() FROM input
         ON CONFLICT (patient_id) DO UPDATE SET source = EXCLUDED.source, site = EXCLUDED.site, tokens = EXCLUDED.tokens, updated_at = now()),
       kh AS (SELECT DISTINCT input.i, input.patient_id, hashtextextended(k, 0) AS h FROM input, unnest(input.keys) AS k),
       bi AS (INSERT INTO linkage_block (block_hash, patient_id) SELECT h, patient_id FROM kh ON CONFLICT DO NOTHING),
       uh AS (SELECT DISTINCT h FROM kh),
       hits AS (
         SELECT uh.h, b.patient_id, count(*) OVER (PARTITION BY uh.h) AS n
         FROM uh CROSS JOIN LATERAL (SELECT patient_id FROM linkage_block WHERE block_hash = uh.h LIMIT ${MAX_BLOCK + 1}) AS b),
       pairs AS (
         SELECT kh.i, hits.patient_id, count(*) AS shared FROM kh JOIN hits ON hits.h = kh.h
         WHERE hits.n <= ${MAX_BLOCK} AND hits.patient_id <> kh.patient_id GROUP BY kh.i, hits.patient_id),
       c AS (
         SELECT i, patient_id, shared FROM (
           SELECT i, patient_id, shared, row_number() OVER (PARTITION BY i ORDER BY shared DESC, patient_id) AS rn FROM pairs) AS ranked
         WHERE rn <= :limit),
       cp AS (SELECT DISTINCT patient_id FROM c)
       SELECT
         (SELECT json_agg(json_build_array(c.i, c.patient_id) ORDER BY c.i, c.shared DESC, c.patient_id) FROM c) AS pairs,
         ARRAY(SELECT DISTINCT h::text FROM hits WHERE n > ${MAX_BLOCK}) AS oversized,
         (SELECT json_agg(json_build_object('patient_id', r.patient_id, 'source', r.source, 'site', r.site, 'tokens', r.tokens, 'person_id', m.person_id,
             'content', CASE WHEN :withContent AND r.source = 'phi' THEN p.content END))
          FROM cp JOIN linkage_record r ON r.patient_id = cp.patient_id
          LEFT JOIN mpi_person_link m ON m.patient_id = cp.patient_id
          LEFT JOIN "Patient" p ON p.id = cp.patient_id AND NOT p.deleted) AS records`,
      { input, limit, withContent },
    )
  ).rows[0] as { pairs: unknown; records: unknown; oversized: string[] | null };
  const json = <T>(v: unknown): T[] => ((typeof v === 'string' ? JSON.parse(v) : v) ?? []) as T[];
  const records = new Map(
    json<{ patient_id: string; source: 'phi' | 'site'; site: string | null; tokens: LinkageTokens; person_id: string | null; content: unknown }>(row.records).map((r) => [
      r.patient_id,
      { record: { patientId: r.patient_id, source: r.source, site: r.site ?? undefined, tokens: r.tokens }, personId: r.person_id ?? undefined, content: r.content ?? undefined } as CandidateRow,
    ]),
  );
  const out: CandidateRow[][] = recs.map(() => []);
  for (const [i, patientId] of json<[number, string]>(row.pairs)) {
    const c = records.get(patientId);
    if (c) out[i]!.push(c);
  }
  return { candidates: out, oversized: row.oversized ?? [] };
}
