import type { Knex } from 'knex';
import type { Immunization, Patient } from 'fhir/r4';
import type { Db, ResourceStore, WriteEvent } from '../../storage/resource-store';
import type { PersonDirectory } from '../../mpi/person-directory';
import type { CdsiEngine } from '../cdsi';
import { dedupeDoses, immunizationPatientId, referencedId, trackedDose } from './dose-record';
import { computeTimeline, type PersonFacts } from './person-timeline';
import { countRows, dayNumber, dayOfNumber, hotShardChooser, mergeRows, prefixNodes, timelineEvents, type CountRow } from './count-deltas';
import type { StatusSegment, TrackedDose, TrackingState } from './tracking-model';
import { ALL, DEFAULT_TRACKED_GROUPS, TRACKING_STATES } from './tracking-model';

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

/** A counts question: vaccine group, optional clinic and age band ('*' or undefined = all), as of the end of `date`. */
export interface CountsQuery {
  group: string;
  clinic?: string;
  ageBand?: string;
  /** 'YYYY-MM-DD'. */
  date: string;
  /** First day of a `day` breakdown, 'YYYY-MM-DD' (default: date). */
  start?: string;
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

/** A stored imm_person_status row. */
interface StatusRow {
  person_id: string;
  vaccine_group: string;
  segments: unknown;
  members: string[];
}

interface Pending {
  patients: Set<string>;
  /** Patients deleted in the transaction (no new person for them). */
  gone: Set<string>;
  /** Patients whose person the directory announced in the transaction. */
  placed: Set<string>;
  persons: Set<string>;
  /** imm_dose rows to write at the end (undefined = delete), by Immunization id. */
  doses: Map<string, TrackedDose | undefined>;
}

function newPending(): Pending {
  return { patients: new Set(), gone: new Set(), placed: new Set(), persons: new Set(), doses: new Map() };
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
    this.deps.store.addBeforeCommitHook((trx) => this.flush(trx));
  }

  /** The tracked group named `name` (case-insensitive), or undefined. */
  trackedGroup(name: string): string | undefined {
    return this.trackedGroups.find((g) => g.toLowerCase() === name.toLowerCase());
  }

  /**
   * Runs `fn` in `trx` with recomputation deferred: writes inside only note the patients/persons they
   * touch, and each affected person is recomputed once when `fn` returns (bulk imports). Transactions the
   * store opened defer the same way on their own, until just before they commit.
   */
  async deferWithin<T>(trx: Knex.Transaction, fn: () => Promise<T>): Promise<T> {
    if (this.pending.has(trx)) return fn();
    this.pending.set(trx, newPending());
    const out = await fn();
    await this.flush(trx);
    return out;
  }

  /** The deferred work of `trx`: existing, or started now if the store will flush it before commit. */
  private pendingOf(trx: Knex.Transaction): Pending | undefined {
    let p = this.pending.get(trx);
    if (!p && this.deps.store.defersToCommit(trx)) this.pending.set(trx, (p = newPending()));
    return p;
  }

  /**
   * Writes the deferred dose rows and recomputes every touched person once. Returns false if there was
   * nothing to do. ensurePerson may announce more persons (→ pending again); the store's before-commit
   * loop calls this until it returns false.
   */
  async flush(trx: Knex.Transaction): Promise<boolean> {
    const p = this.pending.get(trx);
    if (!p || (p.patients.size === 0 && p.persons.size === 0 && p.doses.size === 0)) {
      this.pending.delete(trx);
      return false;
    }
    this.pending.delete(trx);
    await writeDoses(trx, p.doses);
    const patients = [...p.patients];
    // Patients whose move was announced in this transaction already have their person in p.persons.
    const persons = await this.personsOfPatients(trx, patients.filter((id) => !p.placed.has(id)), (id) => !p.gone.has(id));
    for (const id of persons) p.persons.add(id);
    await this.recomputePersons(trx, [...p.persons], patients);
    return true;
  }

  private async onImmunizationWrite(trx: Knex.Transaction, event: WriteEvent): Promise<void> {
    const dose = trackedDose(event.id, event.current as Immunization | undefined);
    const pending = this.pendingOf(trx);
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
    const p = this.pendingOf(trx);
    if (p) {
      if (event.current) p.gone.delete(event.id);
      else p.gone.add(event.id);
    }
    await this.patientsChanged(trx, [event.id], event.current !== undefined);
  }

  private async onPersonsChanged(trx: Knex.Transaction, personIds: string[], patientIds: string[]): Promise<void> {
    const p = this.pendingOf(trx);
    if (p) {
      for (const id of personIds) p.persons.add(id);
      for (const id of patientIds) {
        p.patients.add(id);
        p.placed.add(id);
      }
    } else await this.recomputePersons(trx, personIds, patientIds);
  }

  /** Patients whose records or doses changed: recompute their persons (creating single-member persons when unlinked). */
  private async patientsChanged(trx: Knex.Transaction, patientIds: string[], ensure = true): Promise<void> {
    const p = this.pendingOf(trx);
    if (p) {
      for (const id of patientIds) p.patients.add(id);
      return;
    }
    const persons = await this.personsOfPatients(trx, patientIds, () => ensure);
    await this.recomputePersons(trx, persons, patientIds);
  }

  /** Persons of the patients; unlinked patients get a new single-member person (whose listener call recomputes it). */
  private async personsOfPatients(trx: Knex.Transaction, patientIds: string[], ensure: (patientId: string) => boolean = () => true): Promise<string[]> {
    const out = new Set<string>();
    if (patientIds.length === 0) return [];
    const rows = (await trx('mpi_person_link').whereIn('patient_id', patientIds).select('patient_id', 'person_id')) as Array<{ patient_id: string; person_id: string }>;
    const known = new Map(rows.map((r) => [r.patient_id, r.person_id]));
    for (const id of patientIds) {
      const person = known.get(id);
      if (person) out.add(person);
      else if (ensure(id)) await this.deps.persons.ensurePerson(trx, id);
    }
    return [...out];
  }

  /** Gives an unlinked patient its own person (recomputed through the membership listener). */
  async ensurePersonOf(trx: Knex.Transaction, patientId: string): Promise<void> {
    await this.personsOfPatients(trx, [patientId]);
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

  /** Takes the per-person transaction locks (the keys `store.lock` uses), in sorted order, in one statement. */
  private async lockPersons(trx: Knex.Transaction, personIds: string[]): Promise<void> {
    if (personIds.length === 0) return;
    await trx.raw(
      `SELECT count(pg_advisory_xact_lock(hashtextextended('imm-person:' || id, 0))) FROM (SELECT DISTINCT id COLLATE "C" AS id FROM unnest(?::text[]) AS id ORDER BY 1) AS s`,
      [personIds],
    );
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
    const { records, status: oldRows } = await this.loadState(trx, persons, true);
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
    return (await this.loadState(db, personIds, false)).records;
  }

  /** loadPersons, plus (if asked) the stored status rows, in one statement. */
  private async loadState(db: Db, personIds: string[], withStatus: boolean): Promise<{ records: PersonRecords[]; status: StatusRow[] }> {
    const row = (
      await db.raw(
        `WITH l AS (SELECT person_id, patient_id FROM mpi_person_link WHERE person_id = ANY(:ids::text[]))
         SELECT
           (SELECT json_agg(json_build_array(l.person_id, l.patient_id)) FROM l) AS links,
           (SELECT json_agg(p.content) FROM "Patient" p WHERE p.id IN (SELECT patient_id FROM l) AND NOT p.deleted) AS patients,
           (SELECT json_agg(json_build_object('immunization_id', d.immunization_id, 'patient_id', d.patient_id, 'dose_date', d.dose_date::text, 'cvx', d.cvx, 'clinic', d.clinic))
              FROM imm_dose d WHERE d.patient_id IN (SELECT patient_id FROM l)) AS doses,
           CASE WHEN :withStatus THEN (SELECT json_agg(json_build_object('person_id', s.person_id, 'vaccine_group', s.vaccine_group, 'segments', s.segments, 'members', s.members))
              FROM imm_person_status s WHERE s.person_id = ANY(:ids::text[])) END AS status`,
        { ids: personIds, withStatus },
      )
    ).rows[0] as { links: unknown; patients: unknown; doses: unknown; status: unknown };
    const json = <T>(v: unknown): T[] => ((typeof v === 'string' ? JSON.parse(v) : v) ?? []) as T[];
    const links = json<[string, string]>(row.links);
    const members = new Map<string, string[]>(personIds.map((p) => [p, []]));
    for (const [person, patient] of links) members.get(person)?.push(patient);
    const live = new Map(json<Patient>(row.patients).map((p) => [p.id!, p]));
    const doses = new Map<string, TrackedDose[]>();
    for (const r of json<DoseRow>(row.doses)) {
      if (!live.has(r.patient_id)) continue;
      const list = doses.get(r.patient_id) ?? [];
      list.push(toTrackedDose(r));
      doses.set(r.patient_id, list);
    }
    const records = personIds.map((personId) => {
      const ids = (members.get(personId) ?? []).sort();
      const livePatients = ids.map((id) => live.get(id)).filter((p): p is Patient => !!p);
      return { personId, members: ids, patients: livePatients, facts: personFacts(livePatients), doses: ids.flatMap((id) => doses.get(id) ?? []) };
    });
    return { records, status: json<StatusRow>(row.status) };
  }


  /** Exact counts as of `q.date` from the maintained aggregates (at most 18 index probes; never a scan over persons). */
  async counts(db: Db, q: CountsQuery): Promise<StateCounts> {
    return readCounts(db, q);
  }

  /**
   * Counts as of `q.date` broken down by clinic or age band (every value with a non-zero count, one
   * index read per tree node for all values), or by day (every day from `q.start` to `q.date`).
   */
  async countsBy(db: Db, q: CountsQuery, by: CountsBreakdown): Promise<Map<string, StateCounts>> {
    return (await this.breakdown(db, q, by)).strata;
  }

  /** The counts as of `q.date` and their breakdown, in one read (the total is the '*' value of the same index ranges). */
  async breakdown(db: Db, q: CountsQuery, by: CountsBreakdown): Promise<{ total: StateCounts; strata: Map<string, StateCounts> }> {
    if (by !== 'day') return readCountsBy(db, q, by);
    const strata = await readDailyCounts(db, q);
    return { total: strata.get(q.date) ?? stateCounts(undefined), strata };
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

/**
 * Adds count-row deltas in one statement: rows merged per key and sorted, so every writer locks the
 * rows it changes in one global order (no deadlocks between count writers).
 */
export async function applyCountRows(trx: Knex.Transaction, rows: CountRow[]): Promise<void> {
  const list = mergeRows(rows);
  if (list.length === 0) return;
  // Typed arrays rather than one JSON document: no per-row JSON field extraction on the server. unnest keeps the
  // arrays' order, which is the sorted lock order.
  await trx.raw(
    `INSERT INTO imm_count_tree (vaccine_group, clinic, age_band, node, shard, n_fully, n_partially, n_not)
     SELECT g, c, b, node, shard, f, p, n FROM unnest(?::text[], ?::text[], ?::text[], ?::integer[], ?::smallint[], ?::bigint[], ?::bigint[], ?::bigint[]) WITH ORDINALITY AS r(g, c, b, node, shard, f, p, n, o)
     ORDER BY o
     ON CONFLICT (vaccine_group, clinic, node, age_band, shard) DO UPDATE SET
       n_fully = imm_count_tree.n_fully + excluded.n_fully,
       n_partially = imm_count_tree.n_partially + excluded.n_partially,
       n_not = imm_count_tree.n_not + excluded.n_not`,
    [
      list.map((r) => r.vaccine_group), list.map((r) => r.clinic), list.map((r) => r.age_band), list.map((r) => r.node),
      list.map((r) => r.shard), list.map((r) => r.n_fully), list.map((r) => r.n_partially), list.map((r) => r.n_not),
    ],
  );
}

/** The breakdowns countsBy answers. */
export type CountsBreakdown = 'clinic' | 'age-band' | 'day';

/** Longest `day` breakdown (days). */
export const MAX_DAYS_BREAKDOWN = 366;

interface SumRow { dim?: string; node?: number; f: string | number | null; p: string | number | null; v: string | number | null }

const SUMS = 'coalesce(sum(n_fully), 0) AS f, coalesce(sum(n_partially), 0) AS p, coalesce(sum(n_not), 0) AS v';

function stateCounts(r: SumRow | undefined): StateCounts {
  return { 'fully-vaccinated': Number(r?.f ?? 0), 'partially-vaccinated': Number(r?.p ?? 0), 'not-vaccinated': Number(r?.v ?? 0) };
}

/** The count as of q.date: the sum of the tree nodes of the day's prefix, over shards. */
async function readCounts(db: Db, q: CountsQuery): Promise<StateCounts> {
  const nodes = prefixNodes(q.date);
  if (nodes.length === 0) return stateCounts(undefined);
  const rows = (await db.raw(
    `SELECT ${SUMS} FROM imm_count_tree WHERE vaccine_group = ? AND clinic = ? AND age_band = ? AND node = ANY(?::integer[])`,
    [q.group, q.clinic ?? ALL, q.ageBand ?? ALL, nodes],
  )).rows as SumRow[];
  return stateCounts(rows[0]);
}

/**
 * Counts per clinic (band fixed; index imm_count_tree_band_idx) or per band (clinic fixed; primary key):
 * one index range per prefix node holds every value of the breakdown dimension, and '*' (the total).
 */
async function readCountsBy(db: Db, q: CountsQuery, by: 'clinic' | 'age-band'): Promise<{ total: StateCounts; strata: Map<string, StateCounts> }> {
  const strata = new Map<string, StateCounts>();
  const nodes = prefixNodes(q.date);
  if (nodes.length === 0) return { total: stateCounts(undefined), strata };
  const rows = (await (by === 'clinic'
    ? db.raw(
        `SELECT clinic AS dim, ${SUMS} FROM imm_count_tree WHERE vaccine_group = ? AND age_band = ? AND node = ANY(?::integer[]) GROUP BY clinic`,
        [q.group, q.ageBand ?? ALL, nodes],
      )
    : db.raw(
        `SELECT age_band AS dim, ${SUMS} FROM imm_count_tree WHERE vaccine_group = ? AND clinic = ? AND node = ANY(?::integer[]) GROUP BY age_band`,
        [q.group, q.clinic ?? ALL, nodes],
      ))).rows as SumRow[];
  let total = stateCounts(undefined);
  for (const r of rows) {
    const c = stateCounts(r);
    if (r.dim === ALL) total = c;
    else if (TRACKING_STATES.some((s) => c[s] !== 0)) strata.set(r.dim!, c);
  }
  return { total, strata };
}

/** Counts as of each day from q.start (default q.date) to q.date: one read of the union of the days' prefix nodes. */
async function readDailyCounts(db: Db, q: CountsQuery): Promise<Map<string, StateCounts>> {
  const first = dayNumber(q.start ?? q.date);
  const last = dayNumber(q.date);
  if (last < first || last - first >= MAX_DAYS_BREAKDOWN) throw new RangeError(`A day breakdown covers 1 to ${MAX_DAYS_BREAKDOWN} days`);
  const days: string[] = [];
  for (let d = first; d <= last; d++) days.push(dayOfNumber(d));
  const prefixes = days.map(prefixNodes);
  const nodes = [...new Set(prefixes.flat())];
  const rows = nodes.length === 0 ? [] : ((await db.raw(
    `SELECT node, ${SUMS} FROM imm_count_tree WHERE vaccine_group = ? AND clinic = ? AND age_band = ? AND node = ANY(?::integer[]) GROUP BY node`,
    [q.group, q.clinic ?? ALL, q.ageBand ?? ALL, nodes],
  )).rows as SumRow[]);
  const byNode = new Map(rows.map((r) => [Number(r.node), stateCounts(r)]));
  const out = new Map<string, StateCounts>();
  days.forEach((day, i) => {
    const c = stateCounts(undefined);
    for (const node of prefixes[i]) {
      const n = byNode.get(node);
      if (n) for (const s of TRACKING_STATES) c[s] += n[s];
    }
    out.set(day, c);
  });
  return out;
}
