import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from '../storage/resource-store';

/** Which people's set of Patient records changed in a transaction (for derived state: status, counts). */
export interface MembershipChange {
  /** Persons whose members changed, including persons left with no member. */
  personIds: string[];
  /** Patients that moved. */
  patientIds: string[];
}

export type MembershipListener = (trx: Knex.Transaction, change: MembershipChange) => Promise<void>;

export type LinkMethod = 'auto' | 'manual' | 'merge' | 'new';

/**
 * The master person index (table mpi_person_link): answers "who is this patient" for every module,
 * and tells listeners, inside the same transaction, when membership changes so that derived state
 * (immunization status per person, real-time counts) never drifts. Linkage decides *whether* two
 * records are one person; this class only records and announces it.
 */
export class PersonDirectory {
  private readonly listeners: MembershipListener[] = [];

  constructor(private readonly knex: Knex) {}

  /** Registers a listener called in the transaction of every membership change. */
  onMembershipChange(listener: MembershipListener): void {
    this.listeners.push(listener);
  }

  /** The person a patient belongs to, or undefined if it is not in the index yet. */
  async personOf(db: Db | undefined, patientId: string): Promise<string | undefined> {
    const row = (await (db ?? this.knex)('mpi_person_link').where({ patient_id: patientId }).first('person_id')) as { person_id: string } | undefined;
    return row?.person_id;
  }

  /** Every Patient id of a person (empty if none). */
  async membersOf(db: Db | undefined, personId: string): Promise<string[]> {
    const rows = (await (db ?? this.knex)('mpi_person_link').where({ person_id: personId }).orderBy('patient_id').select('patient_id')) as Array<{ patient_id: string }>;
    return rows.map((r) => r.patient_id);
  }

  /** The person of a patient, creating a new single-member person if it has none. */
  async ensurePerson(trx: Knex.Transaction, patientId: string): Promise<string> {
    const existing = await this.personOf(trx, patientId);
    if (existing) return existing;
    const personId = randomUUID();
    await this.assign(trx, [patientId], personId, 'new');
    return personId;
  }

  /**
   * Puts `patientIds` into person `personId` (moving them from wherever they were) and announces
   * the change. Callers decide the person (linkage, manual link, merge).
   */
  async assign(trx: Knex.Transaction, patientIds: string[], personId: string, method: LinkMethod, score?: number): Promise<void> {
    if (patientIds.length === 0) return;
    // Lock the rows being moved so a concurrent assign (e.g. a merge racing an unmerge) cannot read
    // a stale previous person and leave it out of the announced change.
    const before = (await trx('mpi_person_link').whereIn('patient_id', [...patientIds].sort()).forUpdate().select('person_id')) as Array<{ person_id: string }>;
    await trx('mpi_person_link')
      .insert(patientIds.map((patient_id) => ({ patient_id, person_id: personId, method, score: score ?? null, linked_at: new Date() })))
      .onConflict('patient_id')
      .merge(['person_id', 'method', 'score', 'linked_at']);
    const personIds = [...new Set([personId, ...before.map((b) => b.person_id)])];
    await this.announce(trx, { personIds, patientIds });
  }

  /**
   * `assign` for a patient the caller knows has no person (it read that in this transaction after locking the
   * Patient, e.g. right after creating it): one statement, no row to lock first. If a concurrent transaction
   * placed it meanwhile, falls back to `assign` (which moves it and announces both persons).
   */
  async assignUnlinked(trx: Knex.Transaction, patientId: string, personId: string, method: LinkMethod, score?: number): Promise<void> {
    const inserted = await trx('mpi_person_link')
      .insert({ patient_id: patientId, person_id: personId, method, score: score ?? null, linked_at: new Date() })
      .onConflict('patient_id')
      .ignore()
      .returning('patient_id');
    if (inserted.length === 0) return this.assign(trx, [patientId], personId, method, score);
    await this.announce(trx, { personIds: [personId], patientIds: [patientId] });
  }

  /**
   * `assignUnlinked` for many patients at once (e.g. a bulk import's new records): one statement and one announcement.
   * Any patient placed meanwhile by a concurrent transaction falls back to `assign`.
   */
  async assignManyUnlinked(trx: Knex.Transaction, placements: Array<{ patientId: string; personId: string; method: LinkMethod; score?: number }>): Promise<void> {
    if (placements.length === 0) return;
    const now = new Date();
    const inserted = new Set(
      (
        (await trx('mpi_person_link')
          .insert(placements.map((p) => ({ patient_id: p.patientId, person_id: p.personId, method: p.method, score: p.score ?? null, linked_at: now })))
          .onConflict('patient_id')
          .ignore()
          .returning('patient_id')) as Array<{ patient_id: string }>
      ).map((r) => r.patient_id),
    );
    const done = placements.filter((p) => inserted.has(p.patientId));
    if (done.length > 0) await this.announce(trx, { personIds: [...new Set(done.map((p) => p.personId))], patientIds: done.map((p) => p.patientId) });
    for (const p of placements.filter((x) => !inserted.has(x.patientId))) await this.assign(trx, [p.patientId], p.personId, p.method, p.score);
  }

  /** Removes a patient from the index (e.g. its Patient was deleted) and announces it. */
  async remove(trx: Knex.Transaction, patientId: string): Promise<void> {
    const row = (await trx('mpi_person_link').where({ patient_id: patientId }).forUpdate().first('person_id')) as { person_id: string } | undefined;
    const personId = row?.person_id;
    if (!personId) return;
    await trx('mpi_person_link').where({ patient_id: patientId }).delete();
    await this.announce(trx, { personIds: [personId], patientIds: [patientId] });
  }

  private async announce(trx: Knex.Transaction, change: MembershipChange): Promise<void> {
    for (const listener of this.listeners) await listener(trx, change);
  }
}
