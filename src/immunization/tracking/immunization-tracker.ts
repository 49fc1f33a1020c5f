import type { Knex } from 'knex';
import type { Immunization, Patient } from 'fhir/r4';
import type { Db, ResourceStore, WriteEvent } from '../../storage/resource-store';
import type { PersonDirectory } from '../../mpi/person-directory';
import type { CdsiEngine } from '../cdsi';
import { dedupeDoses, immunizationPatientId, referencedId, trackedDose } from './dose-record';
import { computeTimeline, type PersonFacts } from './person-timeline';
import { countRows, hotShardChooser, sortRows, timelineEvents, type CountRow } from './count-deltas';
import type { StatusSegment, TrackedDose, TrackingState } from './tracking-model';
import { AGE_BANDS, ALL, DEFAULT_TRACKED_GROUPS, TRACKING_STATES } from './tracking-model';

/** What the tracker needs from the server. */
export interface TrackerDeps {
  knex: Knex;
  store: ResourceStore;
  persons: PersonDirectory;
  engine: CdsiEngine;
  /** Vaccine groups with maintained counts (CDSi names); default COVID-19. */
  trackedGroups?: string[];
}

/** Everything known about one person when recomputing. */
export interface PersonRecords {
  personId: string;
  /** Member Patient ids (sorted), live or not. */
  members: string[];
  /** Live member Patients. */
  patients: Patient[];
  facts: PersonFacts;
  /** Completed doses of live members, duplicates included. */
  doses: TrackedDose[];
}

/** Counts of the three states. */
export type StateCounts = Record<TrackingState, number>;

/** A counts question: vaccine group, optional clinic and age band ('*' or undefined = all), as of `date`. */
export interface CountsQuery {
  group: string;
  clinic?: string;
  ageBand?: string;
  /** 'YYYY-MM-DD'. */
  date: string;
}

interface DoseRow {
  immunization_id: string;
  patient_id: string;
  dose_date: string | Date;
  cvx: string;
  clinic: string;
}

function day(value: string | Date): string {
  return typeof value === 'string' ? value.slice(0, 10) : new Date(value.getTime() - value.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
}

/** Maps a stored imm_dose row. */
export function toTrackedDose(r: DoseRow): TrackedDose {
  return { immunizationId: r.immunization_id, patientId: r.patient_id, date: day(r.dose_date), cvx: r.cvx, clinic: r.clinic };
}

/** Equal timelines (jsonb does not keep key order, so compare field by field). */
export function sameTimeline(a: StatusSegment[], b: StatusSegment[]): boolean {
  return a.length === b.length && a.every((s, i) => s.from === b[i].from && s.state === b[i].state && s.clinic === b[i].clinic && s.band === b[i].band);
}

function parseSegments(v: unknown): StatusSegment[] {
  return (typeof v === 'string' ? JSON.parse(v) : v) as StatusSegment[];
}

/** Person-level facts merged over member records: the first (by id) birth date, gender and managing organization. */
export function personFacts(patients: Patient[]): PersonFacts {
  const sorted = [...patients].sort((a, b) => ((a.id ?? '') < (b.id ?? '') ? -1 : 1));
  const birthDate = sorted.map((p) => p.birthDate).find((b) => b && /^\d{4}-\d{2}-\d{2}$/.test(b));
  const gender = sorted.map((p) => p.gender).find((g) => g);
  const homeClinic = sorted.map((p) => referencedId(p.managingOrganization, 'Organization')).find((c) => c) ?? '';
  return { birthDate, gender, homeClinic };
}

interface Pending {
  patients: Set<string>;
  persons: Set<string>;
  /** imm_dose rows to write at the end (undefined = delete), by Immunization id. */
  doses: Map<string, TrackedDose | undefined>;
}

/**
 * Keeps every person's immunization status and the real-time counts exactly in step with the FHIR
 * resources: write hooks on Immunization and Patient and the person-directory listener recompute the
 * affected persons inside the writing transaction (person locked), and apply count deltas.
 * See docs/IMMUNIZATION-TRACKING.md.
 */
export class ImmunizationTracker {
  readonly engine: CdsiEngine;
  readonly trackedGroups: string[];
  private readonly pending = new WeakMap<Knex.Transaction, Pending>();

  constructor(private readonly deps: TrackerDeps) {
    this.engine = deps.engine;
    const known = new Map(deps.engine.vaccineGroups.map((g) => [g.toLowerCase(), g]));
    this.trackedGroups = (deps.trackedGroups ?? [...DEFAULT_TRACKED_GROUPS]).map((g) => {
      const name = known.get(g.toLowerCase());
      if (!name) throw new Error(`Tracked vaccine group ${g} is not a CDSi vaccine group`);
      return name;
    });
  }

  /** Registers the write hooks (Immunization, Patient) and the membership listener. Register after record linkage's Patient hook. */
  install(): void {
    this.deps.store.addWriteHook(['Immunization'], (trx, event) => this.onImmunizationWrite(trx, event));
    this.deps.store.addWriteHook(['Patient'], (trx, event) => this.onPatientWrite(trx, event));
    this.deps.persons.onMembershipChange((trx, change) => this.onPersonsChanged(trx, change.personIds, change.patientIds));
  }

  /** The tracked group named `name` (case-insensitive), or undefined. */
  trackedGroup(name: string): string | undefined {
    return this.trackedGroups.find((g) => g.toLowerCase() === name.toLowerCase());
  }

  /**
   * Runs `fn` in `trx` with recomputation deferred: writes inside only note the patients/persons they
   * touch, and each affected person is recomputed once when `fn` returns (bulk imports).
   */
  async deferWithin<T>(trx: Knex.Transaction, fn: () => Promise<T>): Promise<T> {
    if (this.pending.has(trx)) return fn();
    const p: Pending = { patients: new Set(), persons: new Set(), doses: new Map() };
    this.pending.set(trx, p);
    try {
      const out = await fn();
      await writeDoses(trx, p.doses);
      // ensurePerson may announce (→ more pending persons); drain until stable.
      const patients = [...p.patients];
      p.patients.clear();
      const persons = await this.personsOfPatients(trx, patients);
      for (const id of persons) p.persons.add(id);
      this.pending.delete(trx);
      await this.recomputePersons(trx, [...p.persons], patients);
      return out;
    } finally {
      this.pending.delete(trx);
    }
  }

  private async onImmunizationWrite(trx: Knex.Transaction, event: WriteEvent): Promise<void> {
    const dose = trackedDose(event.id, event.current as Immunization | undefined);
    const pending = this.pending.get(trx);
    if (pending) {
      pending.doses.set(event.id, dose);
    } else if (dose) {
      await trx('imm_dose')
        .insert({ immunization_id: dose.immunizationId, patient_id: dose.patientId, dose_date: dose.date, cvx: dose.cvx, clinic: dose.clinic })
        .onConflict('immunization_id')
        .merge();
    } else {
      await trx('imm_dose').where({ immunization_id: event.id }).delete();
    }
    const patients = [immunizationPatientId(event.previous as Immunization | undefined), immunizationPatientId(event.current as Immunization | undefined)]
      .filter((p): p is string => !!p);
    await this.patientsChanged(trx, [...new Set(patients)]);
  }

  private async onPatientWrite(trx: Knex.Transaction, event: WriteEvent): Promise<void> {
    await this.patientsChanged(trx, [event.id], event.current !== undefined);
  }

  private async onPersonsChanged(trx: Knex.Transaction, personIds: string[], patientIds: string[]): Promise<void> {
    const p = this.pending.get(trx);
    if (p) {
      for (const id of personIds) p.persons.add(id);
      for (const id of patientIds) p.patients.add(id);
    } else await this.recomputePersons(trx, personIds, patientIds);
  }

  /** Patients whose records or doses changed: recompute their persons (creating single-member persons when unlinked). */
  private async patientsChanged(trx: Knex.Transaction, patientIds: string[], ensure = true): Promise<void> {
    const p = this.pending.get(trx);
    if (p) {
      for (const id of patientIds) p.patients.add(id);
      return;
    }
    const persons = await this.personsOfPatients(trx, patientIds, ensure);
    await this.recomputePersons(trx, persons, patientIds);
  }

  /** Persons of the patients; unlinked patients get a new single-member person (whose listener call recomputes it). */
  private async personsOfPatients(trx: Knex.Transaction, patientIds: string[], ensure = true): Promise<string[]> {
    const out = new Set<string>();
    if (patientIds.length === 0) return [];
    const rows = (await trx('mpi_person_link').whereIn('patient_id', patientIds).select('patient_id', 'person_id')) as Array<{ patient_id: string; person_id: string }>;
    const known = new Map(rows.map((r) => [r.patient_id, r.person_id]));
    for (const id of patientIds) {
      const person = known.get(id);
      if (person) out.add(person);
      else if (ensure) await this.deps.persons.ensurePerson(trx, id);
    }
    return [...out];
  }

  /** Gives an unlinked patient its own person (recomputed through the membership listener). */
  async ensurePersonOf(trx: Knex.Transaction, patientId: string): Promise<void> {
    await this.personsOfPatients(trx, [patientId], true);
  }

  /**
   * Persons a patient belongs to now, plus persons whose stored status was computed with it as a member
   * (a concurrent move may have taken it away without naming the old person).
   */
  private async personsHolding(trx: Knex.Transaction, patientIds: string[]): Promise<string[]> {
    const rows = (await trx.raw(
      `SELECT person_id FROM mpi_person_link WHERE patient_id = ANY(?::text[])
       UNION SELECT person_id FROM imm_person_status WHERE members && ?::text[]`,
      [patientIds, patientIds],
    )).rows as Array<{ person_id: string }>;
    return rows.map((r) => r.person_id);
  }

  /** Takes the per-person transaction locks, in sorted order. */
  private async lockPersons(trx: Knex.Transaction, personIds: string[]): Promise<void> {
    for (const id of [...personIds].sort()) await this.deps.store.lock(trx, `imm-person:${id}`);
  }

  /**
   * Recomputes the persons' timelines and applies the count deltas, in `trx`. Locks the persons first;
   * when `patientIds` are given, re-reads their persons after locking (a concurrent merge may have moved
   * them) and follows. Returns the persons whose status changed. With `dryRun`, writes nothing.
   */
  async recomputePersons(trx: Knex.Transaction, personIds: string[], patientIds: string[] = [], dryRun = false): Promise<string[]> {
    const locked = new Set<string>();
    let wanted = [...new Set(personIds)];
    for (;;) {
      const toLock = wanted.filter((id) => !locked.has(id));
      if (toLock.length === 0) break;
      await this.lockPersons(trx, toLock);
      for (const id of toLock) locked.add(id);
      if (patientIds.length === 0) break;
      wanted = await this.personsHolding(trx, patientIds);
    }
    const persons = [...locked];
    if (persons.length === 0) return [];
    const records = await this.loadPersons(trx, persons);
    const oldRows = (await trx('imm_person_status').whereIn('person_id', persons).select('person_id', 'vaccine_group', 'segments', 'members')) as Array<{ person_id: string; vaccine_group: string; segments: unknown; members: string[] }>;
    const old = new Map(oldRows.map((r) => [`${r.person_id}\u0000${r.vaccine_group}`, parseSegments(r.segments)]));
    const oldMembers = new Map(oldRows.map((r) => [`${r.person_id}\u0000${r.vaccine_group}`, [...(r.members ?? [])].sort()]));
    const upserts: Array<{ person_id: string; vaccine_group: string; segments: string; members: string[] }> = [];
    const deletes: Array<[string, string]> = [];
    const rows: CountRow[] = [];
    const changed = new Set<string>();
    const shardFor = hotShardChooser(new Date());
    for (const person of records) {
      const { kept } = dedupeDoses(person.doses);
      for (const group of this.trackedGroups) {
        const before = old.get(`${person.personId}\u0000${group}`) ?? [];
        const after = computeTimeline(this.engine, person.facts, kept, group);
        const beforeMembers = oldMembers.get(`${person.personId}\u0000${group}`) ?? [];
        if (sameTimeline(before, after) && (after.length === 0 || beforeMembers.join(',') === person.members.join(','))) continue;
        changed.add(person.personId);
        if (after.length === 0) deletes.push([person.personId, group]);
        else upserts.push({ person_id: person.personId, vaccine_group: group, segments: JSON.stringify(after), members: person.members });
        rows.push(...countRows(group, [...timelineEvents(before, -1), ...timelineEvents(after, 1)], shardFor));
      }
    }
    if (!dryRun) {
      if (upserts.length > 0) {
        await trx.raw(
          `INSERT INTO imm_person_status (person_id, vaccine_group, segments, members, updated_at)
           SELECT x.person_id, x.vaccine_group, x.segments::jsonb, ARRAY(SELECT jsonb_array_elements_text(x.members)), now()
           FROM jsonb_to_recordset(?::jsonb) AS x(person_id text, vaccine_group text, segments text, members jsonb)
           ON CONFLICT (person_id, vaccine_group) DO UPDATE SET segments = excluded.segments, members = excluded.members, updated_at = excluded.updated_at`,
          [JSON.stringify(upserts)],
        );
      }
      for (const [person_id, vaccine_group] of deletes) await trx('imm_person_status').where({ person_id, vaccine_group }).delete();
      await applyCountRows(trx, rows);
    }
    return [...changed];
  }

  /** Members, live Patients, facts and doses of each person. */
  async loadPersons(db: Db, personIds: string[]): Promise<PersonRecords[]> {
    const links = (await db('mpi_person_link').whereIn('person_id', personIds).select('person_id', 'patient_id')) as Array<{ person_id: string; patient_id: string }>;
    const members = new Map<string, string[]>(personIds.map((p) => [p, []]));
    for (const l of links) members.get(l.person_id)?.push(l.patient_id);
    const allPatients = links.map((l) => l.patient_id);
    const patients = (await this.deps.store.readMany(db, 'Patient', allPatients)) as Patient[];
    const live = new Map(patients.map((p) => [p.id!, p]));
    const doseRows = allPatients.length === 0 ? [] : ((await db('imm_dose').whereIn('patient_id', allPatients).select('immunization_id', 'patient_id', db.raw('dose_date::text AS dose_date'), 'cvx', 'clinic')) as DoseRow[]);
    const doses = new Map<string, TrackedDose[]>();
    for (const r of doseRows) {
      if (!live.has(r.patient_id)) continue;
      const list = doses.get(r.patient_id) ?? [];
      list.push(toTrackedDose(r));
      doses.set(r.patient_id, list);
    }
    return personIds.map((personId) => {
      const ids = (members.get(personId) ?? []).sort();
      const livePatients = ids.map((id) => live.get(id)).filter((p): p is Patient => !!p);
      return { personId, members: ids, patients: livePatients, facts: personFacts(livePatients), doses: ids.flatMap((id) => doses.get(id) ?? []) };
    });
  }

  /** Exact counts as of `q.date` from the maintained aggregates (a primary-key range sum; never a scan over persons). */
  async counts(db: Db, q: CountsQuery): Promise<StateCounts> {
    const rows = await countsQuery(db, q, 'none');
    const out: StateCounts = { 'fully-vaccinated': 0, 'partially-vaccinated': 0, 'not-vaccinated': 0 };
    for (const r of rows) out[r.state as TrackingState] = Number(r.n);
    return out;
  }

  /** Counts as of `q.date` broken down by clinic or age band (every value with a non-zero count). */
  async countsBy(db: Db, q: CountsQuery, by: 'clinic' | 'age-band'): Promise<Map<string, StateCounts>> {
    const rows = await countsQuery(db, q, by);
    const out = new Map<string, StateCounts>();
    for (const r of rows) {
      const k = r.dim as string;
      const c = out.get(k) ?? { 'fully-vaccinated': 0, 'partially-vaccinated': 0, 'not-vaccinated': 0 };
      c[r.state as TrackingState] = Number(r.n);
      out.set(k, c);
    }
    for (const [k, c] of out) if (TRACKING_STATES.every((s) => c[s] === 0)) out.delete(k);
    return out;
  }
}

/** Writes (or deletes) many imm_dose rows in two statements. */
async function writeDoses(trx: Knex.Transaction, doses: Map<string, TrackedDose | undefined>): Promise<void> {
  const upserts = [...doses.values()].filter((d): d is TrackedDose => !!d);
  const deletes = [...doses].filter(([, d]) => !d).map(([id]) => id);
  if (deletes.length > 0) await trx('imm_dose').whereIn('immunization_id', deletes).delete();
  if (upserts.length > 0) {
    await trx('imm_dose')
      .insert(upserts.map((d) => ({ immunization_id: d.immunizationId, patient_id: d.patientId, dose_date: d.date, cvx: d.cvx, clinic: d.clinic })))
      .onConflict('immunization_id')
      .merge();
  }
}

/** Adds count-row deltas in one statement (rows already in key order). */
export async function applyCountRows(trx: Knex.Transaction, rows: CountRow[]): Promise<void> {
  if (rows.length === 0) return;
  const merged = new Map<string, CountRow>();
  for (const r of rows) {
    const key = [r.vaccine_group, r.clinic, r.age_band, r.level, r.bucket, r.state, r.shard].join('\u0000');
    const m = merged.get(key);
    if (m) m.n += r.n;
    else merged.set(key, { ...r });
  }
  const list = sortRows([...merged.values()].filter((r) => r.n !== 0));
  if (list.length === 0) return;
  await trx.raw(
    `INSERT INTO imm_count (vaccine_group, clinic, age_band, state, level, bucket, shard, n)
     SELECT e.v->>'vaccine_group', e.v->>'clinic', e.v->>'age_band', e.v->>'state', e.v->>'level', (e.v->>'bucket')::date, (e.v->>'shard')::smallint, (e.v->>'n')::bigint
     FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS e(v, o)
     ORDER BY e.o
     ON CONFLICT (vaccine_group, clinic, age_band, level, bucket, state, shard) DO UPDATE SET n = imm_count.n + excluded.n`,
    [JSON.stringify(list)],
  );
}

/** The year / month / day bucket ranges whose sum is the count as of `date`. */
export function bucketRanges(date: string): { yearStart: string; monthStart: string } {
  return { yearStart: `${date.slice(0, 4)}-01-01`, monthStart: `${date.slice(0, 7)}-01` };
}

const RANGES = `((level = 'Y' AND bucket < ?) OR (level = 'M' AND bucket >= ? AND bucket < ?) OR (level = 'D' AND bucket >= ? AND bucket <= ?))`;

/** The clinics with count rows for a group: a loose index scan (one index probe per clinic), not a table scan. */
async function clinicsOf(db: Db, group: string): Promise<string[]> {
  const rows = (await db.raw(
    `WITH RECURSIVE c AS (
       SELECT min(clinic) AS clinic FROM imm_count WHERE vaccine_group = ?
       UNION ALL
       SELECT (SELECT min(clinic) FROM imm_count WHERE vaccine_group = ? AND clinic > c.clinic) FROM c WHERE c.clinic IS NOT NULL
     ) SELECT clinic FROM c WHERE clinic IS NOT NULL AND clinic <> '*'`,
    [group, group],
  )).rows as Array<{ clinic: string }>;
  return rows.map((r) => r.clinic);
}

async function countsQuery(db: Db, q: CountsQuery, by: 'none' | 'clinic' | 'age-band'): Promise<Array<{ state: string; n: string | number; dim?: string }>> {
  const { yearStart, monthStart } = bucketRanges(q.date);
  const ranges = [yearStart, yearStart, monthStart, monthStart, q.date];
  if (by === 'none') {
    const result = await db.raw(
      `SELECT state, SUM(n) AS n FROM imm_count WHERE vaccine_group = ? AND clinic = ? AND age_band = ? AND ${RANGES} GROUP BY state`,
      [q.group, q.clinic ?? ALL, q.ageBand ?? ALL, ...ranges],
    );
    return result.rows;
  }
  // One primary-key range lookup per value of the breakdown dimension (UNION ALL of constant lookups:
  // a LATERAL join over the values lets the planner pick a scan of the whole table instead).
  const values = by === 'clinic' ? await clinicsOf(db, q.group) : AGE_BANDS.map((b) => b.label);
  if (values.length === 0) return [];
  const branches: string[] = [];
  const params: string[] = [];
  for (const v of values) {
    branches.push(`SELECT ?::text AS dim, state, SUM(n) AS n FROM imm_count WHERE vaccine_group = ? AND clinic = ? AND age_band = ? AND ${RANGES} GROUP BY state`);
    params.push(v, q.group, by === 'clinic' ? v : q.clinic ?? ALL, by === 'age-band' ? v : q.ageBand ?? ALL, ...ranges);
  }
  const result = await db.raw(branches.join(' UNION ALL '), params);
  return result.rows;
}
