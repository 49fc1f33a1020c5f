import type { Knex } from 'knex';

type Db = Knex | Knex.Transaction;

/** A clerical decision about a pair of Patient records; it overrides automatic linkage for good. */
export type PairDecision = 'same' | 'different';

/** A pair in canonical order (the tables require patient_a < patient_b). */
export function orderedPair(a: string, b: string): [string, string] {
  return a < b ? [a, b] : [b, a];
}

/** Records (or replaces) the decision for a pair. */
export async function saveDecision(trx: Knex.Transaction, a: string, b: string, decision: PairDecision, by: string): Promise<void> {
  const [x, y] = orderedPair(a, b);
  await trx('linkage_decision')
    .insert({ patient_a: x, patient_b: y, decision, decided_by: by, decided_at: new Date() })
    .onConflict(['patient_a', 'patient_b'])
    .merge(['decision', 'decided_by', 'decided_at']);
}

/** Removes the decision for a pair. */
export async function deleteDecision(trx: Knex.Transaction, a: string, b: string): Promise<void> {
  const [x, y] = orderedPair(a, b);
  await trx('linkage_decision').where({ patient_a: x, patient_b: y }).delete();
}

/** Every patient that a "not the same person" decision separates from `patientId`. */
export async function differentFrom(db: Db, patientId: string): Promise<string[]> {
  const rows = (
    await db.raw(
      `SELECT patient_b AS other FROM linkage_decision WHERE patient_a = ? AND decision = 'different'
       UNION SELECT patient_a FROM linkage_decision WHERE patient_b = ? AND decision = 'different'`,
      [patientId, patientId],
    )
  ).rows as Array<{ other: string }>;
  return rows.map((r) => r.other);
}

/** "Different" decisions between any member of one set and any member of another. */
export async function differentAcross(db: Db, left: string[], right: string[]): Promise<Array<[string, string]>> {
  if (left.length === 0 || right.length === 0) return [];
  const rows = (
    await db.raw(
      `SELECT patient_a, patient_b FROM linkage_decision WHERE decision = 'different'
       AND ((patient_a = ANY(?::text[]) AND patient_b = ANY(?::text[])) OR (patient_a = ANY(?::text[]) AND patient_b = ANY(?::text[])))`,
      [left, right, right, left],
    )
  ).rows as Array<{ patient_a: string; patient_b: string }>;
  return rows.map((r) => [r.patient_a, r.patient_b]);
}

/** One entry of the clerical review queue. */
export interface ReviewItem {
  patientA: string;
  patientB: string;
  score: number;
  grade: string;
  status: 'open' | 'confirmed' | 'rejected';
  createdAt: Date;
  resolvedBy?: string;
  resolvedAt?: Date;
}

/** Queues a possible match for review (a pair already resolved stays resolved; an open one gets the new score). */
export async function queueForReview(trx: Knex.Transaction, items: Array<{ a: string; b: string; score: number; grade: string }>): Promise<void> {
  if (items.length === 0) return;
  const rows = new Map<string, { x: string; y: string; score: number; grade: string }>();
  for (const it of items) {
    const [x, y] = orderedPair(it.a, it.b);
    rows.set(`${x}\u0000${y}`, { x, y, score: it.score, grade: it.grade });
  }
  await trx.raw(
    `INSERT INTO linkage_review (patient_a, patient_b, score, grade, status, created_at)
     SELECT r.x, r.y, r.score, r.grade, 'open', now() FROM jsonb_to_recordset(?::jsonb) AS r(x text, y text, score float8, grade text)
     ORDER BY r.x, r.y
     ON CONFLICT (patient_a, patient_b) DO UPDATE SET score = EXCLUDED.score, grade = EXCLUDED.grade WHERE linkage_review.status = 'open'`,
    [JSON.stringify([...rows.values()])],
  );
}

/** Closes the open review item of a pair, if any, with the decision taken. */
export async function resolveReview(trx: Knex.Transaction, a: string, b: string, status: 'confirmed' | 'rejected', by: string): Promise<void> {
  const [x, y] = orderedPair(a, b);
  await trx('linkage_review').where({ patient_a: x, patient_b: y, status: 'open' }).update({ status, resolved_by: by, resolved_at: new Date() });
}

/** Drops open review items that involve a patient (it was deleted). */
export async function dropOpenReviews(trx: Knex.Transaction, patientId: string): Promise<void> {
  await trx('linkage_review').where({ status: 'open' }).andWhere((q) => q.where({ patient_a: patientId }).orWhere({ patient_b: patientId })).delete();
}

/** Review items by status (oldest first), optionally only those involving one patient. */
export async function listReviews(db: Db, options: { status?: ReviewItem['status']; patientId?: string; limit: number }): Promise<ReviewItem[]> {
  let q = db('linkage_review').select('*').orderBy([{ column: 'created_at' }, { column: 'patient_a' }, { column: 'patient_b' }]).limit(options.limit);
  if (options.status) q = q.where({ status: options.status });
  if (options.patientId) q = q.andWhere((w) => w.where({ patient_a: options.patientId }).orWhere({ patient_b: options.patientId }));
  const rows = (await q) as Array<{
    patient_a: string; patient_b: string; score: number; grade: string; status: ReviewItem['status'];
    created_at: Date | string; resolved_by: string | null; resolved_at: Date | string | null;
  }>;
  return rows.map((r) => ({
    patientA: r.patient_a,
    patientB: r.patient_b,
    score: Number(r.score),
    grade: r.grade,
    status: r.status,
    createdAt: new Date(r.created_at),
    resolvedBy: r.resolved_by ?? undefined,
    resolvedAt: r.resolved_at ? new Date(r.resolved_at) : undefined,
  }));
}

/** A recorded merge (source replaced by target). */
export interface MergeRecord {
  sourceId: string;
  targetId: string;
  /** Patient.active of the source before the merge (restored by unmerge). */
  sourceActive?: boolean;
}

/** The merge a patient is the source of, if any. */
export async function mergeOf(db: Db, sourceId: string): Promise<MergeRecord | undefined> {
  const row = (await db('linkage_merge').where({ source_id: sourceId }).first()) as { source_id: string; target_id: string; source_active: boolean | null | string } | undefined;
  if (!row) return undefined;
  const active = typeof row.source_active === 'string' ? (JSON.parse(row.source_active) as boolean | null) : row.source_active;
  return { sourceId: row.source_id, targetId: row.target_id, sourceActive: active ?? undefined };
}

/** Records a merge. */
export async function saveMerge(trx: Knex.Transaction, m: MergeRecord, by: string): Promise<void> {
  await trx('linkage_merge').insert({ source_id: m.sourceId, target_id: m.targetId, source_active: JSON.stringify(m.sourceActive ?? null), merged_by: by, merged_at: new Date() });
}

/** Forgets a merge (unmerge). */
export async function deleteMerge(trx: Knex.Transaction, sourceId: string): Promise<void> {
  await trx('linkage_merge').where({ source_id: sourceId }).delete();
}
