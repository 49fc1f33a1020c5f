import type { Knex } from 'knex';
import type { Patient, Person } from 'fhir/r4';
import type { ResourceStore } from '../../storage/resource-store';
import type { LinkMethod, PersonDirectory } from '../../mpi/person-directory';
import { goldenPerson, type PersonMember } from './golden-record';

/**
 * Keeps the golden-record `Person` resources in step with the master person index: every person whose members
 * change in a transaction gets its `Person` rewritten (or deleted) once, just before the transaction commits
 * (immediately, in a transaction the store did not open).
 */
export class GoldenRecordSync {
  /** Persons whose golden record must be rewritten before the transaction commits. */
  private readonly pending = new WeakMap<Knex.Transaction, Set<string>>();

  constructor(
    private readonly store: ResourceStore,
    private readonly persons: PersonDirectory,
  ) {}

  /** Follows membership changes and flushes before commit. */
  install(): void {
    this.persons.onMembershipChange((trx, change) => this.personsChanged(trx, change.personIds));
    this.store.addBeforeCommitHook((trx) => this.flush(trx));
  }

  private async personsChanged(trx: Knex.Transaction, personIds: string[]): Promise<void> {
    if (!this.store.defersToCommit(trx)) return this.sync(trx, personIds);
    let set = this.pending.get(trx);
    if (!set) this.pending.set(trx, (set = new Set()));
    for (const id of personIds) set.add(id);
  }

  private async flush(trx: Knex.Transaction): Promise<boolean> {
    const set = this.pending.get(trx);
    this.pending.delete(trx);
    if (!set || set.size === 0) return false;
    await this.sync(trx, [...set]);
    return true;
  }

  /** Writes (or deletes) the golden-record Person of each given person. */
  private async sync(trx: Knex.Transaction, personIds: string[]): Promise<void> {
    const ids = [...new Set(personIds)].sort();
    const rows = (
      await trx.raw(
        `SELECT m.person_id, m.patient_id, m.method, m.score, p.content FROM mpi_person_link m
         LEFT JOIN "Patient" p ON p.id = m.patient_id AND NOT p.deleted WHERE m.person_id = ANY(?::text[])`,
        [ids],
      )
    ).rows as Array<{ person_id: string; patient_id: string; method: LinkMethod; score: number | null; content: Patient | string | null }>;
    const byPerson = new Map<string, typeof rows>();
    for (const r of rows) {
      const list = byPerson.get(r.person_id);
      if (list) list.push(r);
      else byPerson.set(r.person_id, [r]);
    }
    // Persons never written before (most, in a bulk import) are created together in one statement.
    const known = new Set(((await trx('Person').whereIn('id', ids).select('id')) as Array<{ id: string }>).map((r) => r.id));
    const fresh: Person[] = [];
    for (const personId of ids) {
      const mine = byPerson.get(personId) ?? [];
      if (mine.length === 0) {
        if (known.has(personId)) await this.store.delete(trx, 'Person', personId);
        continue;
      }
      const members: PersonMember[] = mine.map((r) => ({ patientId: r.patient_id, method: r.method, score: r.score ?? undefined }));
      const patients = mine.filter((r) => r.content).map((r) => (typeof r.content === 'string' ? (JSON.parse(r.content) as Patient) : r.content!));
      const golden = goldenPerson(personId, members, patients);
      if (known.has(personId)) await this.store.update(trx, golden);
      else fresh.push(golden);
    }
    await this.store.createMany(trx, fresh, { ids: fresh.map((p) => p.id) });
  }
}
