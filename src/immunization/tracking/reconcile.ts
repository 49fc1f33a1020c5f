import type { Knex } from 'knex';
import type { Immunization } from 'fhir/r4';
import { trackedDose } from './dose-record';
import type { ImmunizationTracker } from './immunization-tracker';
import { applyCountRows } from './immunization-tracker';
import { STATE_COLUMN, countRows, nonZero, timelineEvents, type CountRow } from './count-deltas';
import type { StatusSegment, TrackingState } from './tracking-model';

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
  /** Counts (group|clinic|band|tree node|state) whose maintained value differed from the sum over persons. */
  countDrift: Array<{ key: string; expected: number; actual: number }>;
  /** Count rows removed by compaction (shards folded into shard 0, zero rows dropped) when fixing found no count drift. */
  countRowsCompacted: number;
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

const STATE_COLUMNS = Object.entries(STATE_COLUMN) as Array<[TrackingState, 'n_fully' | 'n_partially' | 'n_not']>;
const keyOf = (r: CountRow) => [r.vaccine_group, r.clinic, r.age_band, r.node].join('|');

/**
 * Step 3: the count tree against the sum over stored timelines, with count writers held off
 * (SHARE ROW EXCLUSIVE) for the comparison. With fix, a drifted tree is rewritten; an exact one is
 * compacted (shard rows folded into shard 0, all-zero rows dropped), which changes no count.
 */
async function reconcileCounts(knex: Knex, report: ReconcileReport, fix: boolean, batch: number): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx.raw('LOCK TABLE imm_count_tree IN SHARE ROW EXCLUSIVE MODE');
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
          const k = keyOf(row);
          const e = expected.get(k);
          if (e) for (const [, c] of STATE_COLUMNS) e[c] += row[c];
          else expected.set(k, { ...row });
        }
      }
    }
    const actualRows = (await trx.raw(
      `SELECT vaccine_group, clinic, age_band, node, 0 AS shard, sum(n_fully) AS n_fully, sum(n_partially) AS n_partially, sum(n_not) AS n_not
       FROM imm_count_tree GROUP BY 1, 2, 3, 4`,
    )).rows as CountRow[];
    const actualByKey = new Map(actualRows.map((r) => [keyOf(r), r]));
    const keys = new Set([...expected.keys(), ...actualByKey.keys()]);
    report.countKeysChecked = keys.size;
    for (const k of keys) {
      const e = expected.get(k);
      const a = actualByKey.get(k);
      for (const [state, c] of STATE_COLUMNS) {
        const want = e ? e[c] : 0;
        const have = a ? Number(a[c]) : 0;
        if (want !== have) report.countDrift.push({ key: `${k}|${state}`, expected: want, actual: have });
      }
    }
    if (!fix) return;
    if (report.countDrift.length > 0) {
      await trx.raw('DELETE FROM imm_count_tree');
      const list = [...expected.values()].filter(nonZero);
      for (let i = 0; i < list.length; i += 5000) await applyCountRows(trx, list.slice(i, i + 5000));
    } else {
      report.countRowsCompacted = await compactCountRows(trx);
    }
  });
}

/** Folds shard rows into shard 0 and drops all-zero rows (caller holds the table lock); returns the rows removed. */
async function compactCountRows(trx: Knex.Transaction): Promise<number> {
  const before = Number((await trx.raw('SELECT count(*) AS n FROM imm_count_tree')).rows[0].n);
  await trx.raw(
    `WITH moved AS (DELETE FROM imm_count_tree WHERE shard <> 0 RETURNING vaccine_group, clinic, age_band, node, n_fully, n_partially, n_not)
     INSERT INTO imm_count_tree (vaccine_group, clinic, age_band, node, shard, n_fully, n_partially, n_not)
     SELECT vaccine_group, clinic, age_band, node, 0, sum(n_fully), sum(n_partially), sum(n_not) FROM moved GROUP BY 1, 2, 3, 4
     ON CONFLICT (vaccine_group, clinic, node, age_band, shard) DO UPDATE SET
       n_fully = imm_count_tree.n_fully + excluded.n_fully,
       n_partially = imm_count_tree.n_partially + excluded.n_partially,
       n_not = imm_count_tree.n_not + excluded.n_not`,
  );
  await trx.raw('DELETE FROM imm_count_tree WHERE n_fully = 0 AND n_partially = 0 AND n_not = 0');
  const after = Number((await trx.raw('SELECT count(*) AS n FROM imm_count_tree')).rows[0].n);
  return before - after;
}

/**
 * The nightly reconciliation: recomputes the derived tracking state from the FHIR resources and reports
 * (and by default repairs) any drift — dose rows vs Immunizations, person timelines vs a fresh CDSi
 * evaluation, the count tree vs the sum over persons (compacting it when exact). Safe to run while the
 * server takes writes.
 */
export async function reconcileTracking(knex: Knex, tracker: ImmunizationTracker, options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const started = performance.now();
  const fix = options.fix ?? true;
  const batch = options.batchSize ?? 500;
  const report: ReconcileReport = { immunizationsScanned: 0, doseDrift: [], unlinkedPatients: [], personsScanned: 0, personDrift: [], countKeysChecked: 0, countDrift: [], countRowsCompacted: 0, fixed: false, millis: 0 };
  await reconcileDoses(knex, tracker, report, fix, batch);
  await reconcilePersons(knex, tracker, report, fix, batch);
  await reconcileCounts(knex, report, fix, batch);
  report.fixed = fix && (report.doseDrift.length + report.unlinkedPatients.length + report.personDrift.length + report.countDrift.length > 0);
  report.millis = Math.round(performance.now() - started);
  return report;
}
