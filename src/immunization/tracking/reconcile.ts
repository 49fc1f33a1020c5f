import type { Knex } from 'knex';
import type { Immunization } from 'fhir/r4';
import { trackedDose } from './dose-record';
import type { ImmunizationTracker } from './immunization-tracker';
import { applyCountRows } from './immunization-tracker';
import { countRows, timelineEvents, type CountRow } from './count-deltas';
import type { StatusSegment } from './tracking-model';

/** Options of a reconciliation run. */
export interface ReconcileOptions {
  /** Repair what drifted (default true); false only reports. */
  fix?: boolean;
  /** Rows per transaction when scanning Immunizations and persons (default 500). */
  batchSize?: number;
}

/** What a reconciliation run found (and, with fix, repaired). Ids only, never PHI. */
export interface ReconcileReport {
  immunizationsScanned: number;
  /** Immunization ids whose imm_dose row was missing, stale or orphaned. */
  doseDrift: string[];
  /** Live Patients that had no person (given one when fixing). */
  unlinkedPatients: string[];
  personsScanned: number;
  /** Persons whose stored status timeline differed from a fresh CDSi evaluation. */
  personDrift: string[];
  countKeysChecked: number;
  /** Count keys (group|clinic|band|level|bucket|state) whose maintained value differed from the sum over persons. */
  countDrift: Array<{ key: string; expected: number; actual: number }>;
  fixed: boolean;
  millis: number;
}

interface DoseRow { immunization_id: string; patient_id: string; dose_date: string; cvx: string; clinic: string }

/** Step 1: imm_dose against the Immunization resources (rows locked FOR SHARE so concurrent writers wait, per batch). */
async function reconcileDoses(knex: Knex, tracker: ImmunizationTracker, report: ReconcileReport, fix: boolean, batch: number): Promise<void> {
  let after = '';
  for (;;) {
    const done = await knex.transaction(async (trx) => {
      const rows = (await trx.raw(`SELECT id, content FROM "Immunization" WHERE id > ? ORDER BY id LIMIT ? FOR SHARE`, [after, batch])).rows as Array<{ id: string; content: Immunization | string | null }>;
      if (rows.length === 0) return true;
      after = rows[rows.length - 1].id;
      report.immunizationsScanned += rows.length;
      const ids = rows.map((r) => r.id);
      const actual = new Map(((await trx('imm_dose').whereIn('immunization_id', ids).select('immunization_id', 'patient_id', trx.raw('dose_date::text AS dose_date'), 'cvx', 'clinic')) as DoseRow[]).map((r) => [r.immunization_id, r]));
      const patients = new Set<string>();
      for (const r of rows) {
        const content = typeof r.content === 'string' ? (JSON.parse(r.content) as Immunization) : r.content ?? undefined;
        const want = trackedDose(r.id, content);
        const have = actual.get(r.id);
        const same = want && have ? want.patientId === have.patient_id && want.date === have.dose_date && want.cvx === have.cvx && want.clinic === have.clinic : !want && !have;
        if (same) continue;
        report.doseDrift.push(r.id);
        if (want) patients.add(want.patientId);
        if (have) patients.add(have.patient_id);
        if (!fix) continue;
        if (want) {
          await trx('imm_dose').insert({ immunization_id: r.id, patient_id: want.patientId, dose_date: want.date, cvx: want.cvx, clinic: want.clinic }).onConflict('immunization_id').merge();
        } else {
          await trx('imm_dose').where({ immunization_id: r.id }).delete();
        }
      }
      if (fix && patients.size > 0) {
        const persons = (await trx('mpi_person_link').whereIn('patient_id', [...patients]).distinct('person_id')) as Array<{ person_id: string }>;
        await tracker.recomputePersons(trx, persons.map((p) => p.person_id), [...patients]);
      }
      return false;
    });
    if (done) break;
  }
  const orphans = (await knex.raw(`SELECT d.immunization_id FROM imm_dose d WHERE NOT EXISTS (SELECT 1 FROM "Immunization" i WHERE i.id = d.immunization_id)`)).rows as Array<{ immunization_id: string }>;
  for (const o of orphans) {
    report.doseDrift.push(o.immunization_id);
    if (fix) await knex('imm_dose').where({ immunization_id: o.immunization_id }).delete();
  }
}

/** Step 2: every person's stored timeline against a fresh evaluation (each batch locks its persons). */
async function reconcilePersons(knex: Knex, tracker: ImmunizationTracker, report: ReconcileReport, fix: boolean, batch: number): Promise<void> {
  const unlinked = (await knex.raw(`SELECT p.id FROM "Patient" p WHERE NOT p.deleted AND NOT EXISTS (SELECT 1 FROM mpi_person_link l WHERE l.patient_id = p.id) ORDER BY p.id`)).rows as Array<{ id: string }>;
  for (const u of unlinked) {
    report.unlinkedPatients.push(u.id);
    if (fix) await knex.transaction((trx) => tracker.ensurePersonOf(trx, u.id));
  }
  let after = '';
  for (;;) {
    const rows = (await knex.raw(
      `SELECT person_id FROM (SELECT person_id FROM mpi_person_link UNION SELECT person_id FROM imm_person_status) p WHERE person_id > ? ORDER BY person_id LIMIT ?`,
      [after, batch],
    )).rows as Array<{ person_id: string }>;
    if (rows.length === 0) break;
    after = rows[rows.length - 1].person_id;
    report.personsScanned += rows.length;
    const changed = await knex.transaction((trx) => tracker.recomputePersons(trx, rows.map((r) => r.person_id), [], !fix));
    report.personDrift.push(...changed);
  }
}

const keyOf = (r: CountRow) => [r.vaccine_group, r.clinic, r.age_band, r.level, r.bucket, r.state].join('|');

/** Step 3: the count rows against the sum over stored timelines, with count writers held off (SHARE ROW EXCLUSIVE) for the comparison. */
async function reconcileCounts(knex: Knex, report: ReconcileReport, fix: boolean, batch: number): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx.raw('LOCK TABLE imm_count IN SHARE ROW EXCLUSIVE MODE');
    const expected = new Map<string, CountRow>();
    let after: [string, string] = ['', ''];
    for (;;) {
      const rows = (await trx.raw(
        `SELECT person_id, vaccine_group, segments FROM imm_person_status WHERE (person_id, vaccine_group) > (?, ?) ORDER BY person_id, vaccine_group LIMIT ?`,
        [after[0], after[1], batch * 10],
      )).rows as Array<{ person_id: string; vaccine_group: string; segments: StatusSegment[] | string }>;
      if (rows.length === 0) break;
      after = [rows[rows.length - 1].person_id, rows[rows.length - 1].vaccine_group];
      for (const r of rows) {
        const segments = typeof r.segments === 'string' ? (JSON.parse(r.segments) as StatusSegment[]) : r.segments;
        for (const row of countRows(r.vaccine_group, timelineEvents(segments))) {
          const k = `${keyOf(row)}|${row.shard}`;
          const e = expected.get(k);
          if (e) e.n += row.n;
          else expected.set(k, { ...row });
        }
      }
    }
    const expectedByKey = new Map<string, number>();
    for (const r of expected.values()) expectedByKey.set(keyOf(r), (expectedByKey.get(keyOf(r)) ?? 0) + r.n);
    const actualRows = (await trx.raw(`SELECT vaccine_group, clinic, age_band, level, bucket::text AS bucket, state, SUM(n) AS n FROM imm_count GROUP BY 1, 2, 3, 4, 5, 6`)).rows as Array<CountRow & { n: string | number }>;
    const actualByKey = new Map(actualRows.map((r) => [keyOf(r), Number(r.n)]));
    const keys = new Set([...expectedByKey.keys(), ...actualByKey.keys()]);
    report.countKeysChecked = keys.size;
    for (const k of keys) {
      const e = expectedByKey.get(k) ?? 0;
      const a = actualByKey.get(k) ?? 0;
      if (e !== a) report.countDrift.push({ key: k, expected: e, actual: a });
    }
    if (fix && report.countDrift.length > 0) {
      await trx.raw('DELETE FROM imm_count');
      const list = [...expected.values()].filter((r) => r.n !== 0);
      for (let i = 0; i < list.length; i += 5000) await applyCountRows(trx, list.slice(i, i + 5000));
    }
  });
}

/**
 * The nightly reconciliation: recomputes the derived tracking state from the FHIR resources and reports
 * (and by default repairs) any drift — dose rows vs Immunizations, person timelines vs a fresh CDSi
 * evaluation, count rows vs the sum over persons. Safe to run while the server takes writes.
 */
export async function reconcileTracking(knex: Knex, tracker: ImmunizationTracker, options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const started = performance.now();
  const fix = options.fix ?? true;
  const batch = options.batchSize ?? 500;
  const report: ReconcileReport = { immunizationsScanned: 0, doseDrift: [], unlinkedPatients: [], personsScanned: 0, personDrift: [], countKeysChecked: 0, countDrift: [], fixed: false, millis: 0 };
  await reconcileDoses(knex, tracker, report, fix, batch);
  await reconcilePersons(knex, tracker, report, fix, batch);
  await reconcileCounts(knex, report, fix, batch);
  report.fixed = fix && (report.doseDrift.length + report.unlinkedPatients.length + report.personDrift.length + report.countDrift.length > 0);
  report.millis = Math.round(performance.now() - started);
  return report;
}
