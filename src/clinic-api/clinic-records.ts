import type { Knex } from 'knex';
import type { Immunization, OperationOutcomeIssue, Organization, Patient, Resource } from 'fhir/r4';
import { FhirError } from '../shared/fhir-error';
import type { FhirServices } from '../fhir/rest/request-context';
import { sameContent } from '../storage/resource-store';
import type { ImmunizationTracker } from '../immunization/tracking';
import type { VaccinationInput } from './clinic-input';
import { patientKey, phiToPatient, vaccinationToImmunization } from './clinic-input';

/** What the clinic API writes with. */
export interface ClinicDeps {
  services: FhirServices;
  tracker: ImmunizationTracker;
}

/** Outcome of one recorded vaccination. */
export interface RecordedVaccination {
  immunizationId: string;
  patientId: string;
  /** created: new record; updated: same record id, new content (e.g. a correction); unchanged: already recorded as is. */
  result: 'created' | 'updated' | 'unchanged';
}

/** Takes transaction-scoped advisory locks on many keys in one statement, in sorted order (no deadlock between batches). */
export async function lockKeys(trx: Knex.Transaction, keys: string[]): Promise<void> {
  const sorted = [...new Set(keys)].sort();
  if (sorted.length === 0) return;
  await trx.raw('SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) FROM (SELECT unnest(?::text[]) AS k ORDER BY 1) s', [sorted]);
}

/** Resource ids of a clinic's own keys (patients or records). */
export async function lookupKeys(db: Knex | Knex.Transaction, clinic: string, kind: 'patient' | 'record', keys: string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const rows = (await db('clinic_api_key').where({ clinic, kind }).whereIn('key', [...new Set(keys)]).select('key', 'resource_id')) as Array<{ key: string; resource_id: string }>;
  return new Map(rows.map((r) => [r.key, r.resource_id]));
}

/** Makes sure Organization/{clinic} exists (update-as-create with the clinic id as its name). */
export async function ensureClinic(trx: Knex.Transaction, deps: ClinicDeps, clinic: string): Promise<void> {
  const current = await deps.services.store.read(trx, 'Organization', clinic);
  if (current && !current.deleted) return;
  // First use of the clinic: serialise its creation, then look again.
  await lockKeys(trx, [`clinic-org:${clinic}`]);
  const again = await deps.services.store.read(trx, 'Organization', clinic);
  if (again && !again.deleted) return;
  const org: Organization = { resourceType: 'Organization', id: clinic, active: true, name: clinic };
  await deps.services.store.update(trx, org);
}

/** Validation results by resource JSON, for the rows of one import that carry the same patient. */
export type ValidationMemo = Map<string, OperationOutcomeIssue[]>;

function check(deps: ClinicDeps, resource: Resource, memo?: ValidationMemo): void {
  const json = memo ? JSON.stringify(resource) : '';
  let errors = memo?.get(json);
  if (!errors) {
    errors = deps.services.validator.validate(resource).filter((i) => i.severity === 'error' || i.severity === 'fatal');
    if (memo && memo.size < 50_000) memo.set(json, errors);
  }
  if (errors.length > 0) throw new FhirError(400, errors);
}

/**
 * Records validated vaccinations of ONE clinic in `trx`, idempotently: a record id seen before updates
 * (or leaves unchanged) its Immunization; the clinic's patient key finds or creates its Patient.
 * Tracking is recomputed once per affected person at the end. Returns one outcome per input.
 */
export async function recordVaccinations(trx: Knex.Transaction, deps: ClinicDeps, clinic: string, inputs: VaccinationInput[]): Promise<RecordedVaccination[]> {
  return deps.tracker.deferWithin(trx, async () => {
    const keyed = inputs.map((input) => ({ input, pkey: patientKey(input), rkey: input.recordId }));
    await lockKeys(trx, [
      ...keyed.map((k) => `clinic-key:${clinic}:patient:${k.pkey}`),
      ...keyed.filter((k) => k.rkey).map((k) => `clinic-key:${clinic}:record:${k.rkey}`),
    ]);
    await ensureClinic(trx, deps, clinic);
    const patientIds = await lookupKeys(trx, clinic, 'patient', keyed.map((k) => k.pkey));
    const recordIds = await lookupKeys(trx, clinic, 'record', keyed.filter((k) => k.rkey).map((k) => k.rkey!));
    // One Patient write per patient key: the last row's PHI wins.
    const lastByPatient = new Map<string, VaccinationInput>();
    for (const k of keyed) lastByPatient.set(k.pkey, k.input);
    const newKeys: Array<{ clinic: string; kind: 'patient' | 'record'; key: string; resource_id: string }> = [];
    const patientOf = new Map<string, string>();
    const newPatients: Array<{ pkey: string; patient: Patient }> = [];
    // Known patients are read together; only those whose PHI changed are written (one version each), after the new
    // ones (written together in one statement and linked as one batch, which takes record linkage's bulk lock first).
    const livePatients = new Map(((await deps.services.store.readMany(trx, 'Patient', [...patientIds.values()])) as Patient[]).map((p) => [p.id!, p]));
    const changed: Patient[] = [];
    for (const [pkey, input] of lastByPatient) {
      const patient = phiToPatient(clinic, pkey, input.phi);
      const existingId = patientIds.get(pkey);
      const current = existingId ? livePatients.get(existingId) : undefined;
      if (current) {
        if (!sameContent(current, { ...patient, id: existingId })) changed.push({ ...patient, id: existingId });
        patientOf.set(pkey, existingId!);
      } else newPatients.push({ pkey, patient });
    }
    const createdPatients = await deps.services.store.createMany(trx, newPatients.map((p) => p.patient));
    newPatients.forEach(({ pkey }, i) => {
      patientOf.set(pkey, createdPatients[i]!.id);
      newKeys.push({ clinic, kind: 'patient', key: pkey, resource_id: createdPatients[i]!.id });
    });
    for (const p of changed) await deps.services.store.update(trx, p);
    const existing = new Map(((await deps.services.store.readMany(trx, 'Immunization', [...recordIds.values()])) as Immunization[]).map((i) => [i.id!, i]));
    const out: Array<RecordedVaccination | undefined> = [];
    const fresh: Array<{ index: number; recordKey: string; rkey?: string; patientId: string; imm: Immunization }> = [];
    const freshByRecord = new Map<string, number>();
    const repeats = new Map<number, 'updated' | 'unchanged'>();
    for (const [index, k] of keyed.entries()) {
      const patientId = patientOf.get(k.pkey)!;
      const recordKey = k.rkey ?? `auto-${crypto.randomUUID()}`;
      const imm = vaccinationToImmunization(k.input, patientId, recordKey, deps.tracker.engine);
      const existingId = k.rkey ? recordIds.get(k.rkey) : undefined;
      const current = existingId ? existing.get(existingId) : undefined;
      if (current) {
        const next = { ...imm, id: existingId };
        const unchanged = sameContent(current, next) || (await deps.services.store.update(trx, next)).unchanged;
        if (!unchanged) existing.set(existingId!, next);
        out[index] = { immunizationId: existingId!, patientId, result: unchanged ? 'unchanged' : 'updated' };
        continue;
      }
      // The same new record id twice in one batch: the later row is the record (as if written after the first).
      const earlier = k.rkey ? freshByRecord.get(k.rkey) : undefined;
      if (earlier !== undefined) {
        repeats.set(index, JSON.stringify(fresh[earlier]!.imm) === JSON.stringify(imm) ? 'unchanged' : 'updated');
        fresh[earlier] = { ...fresh[earlier]!, imm, patientId };
      } else {
        if (k.rkey) freshByRecord.set(k.rkey, fresh.length);
        fresh.push({ index, recordKey, rkey: k.rkey, patientId, imm });
      }
      out[index] = { immunizationId: '', patientId, result: 'created' };
    }
    const created = await deps.services.store.createMany(trx, fresh.map((f) => f.imm));
    fresh.forEach((f, i) => {
      const id = created[i]!.id;
      newKeys.push({ clinic, kind: 'record', key: f.recordKey, resource_id: id });
      out[f.index] = { immunizationId: id, patientId: f.patientId, result: 'created' };
    });
    for (const [index, k] of keyed.entries()) {
      const first = k.rkey !== undefined ? freshByRecord.get(k.rkey) : undefined;
      if (first !== undefined && fresh[first]!.index !== index) out[index] = { immunizationId: created[first]!.id, patientId: fresh[first]!.patientId, result: repeats.get(index)! };
    }
    if (newKeys.length > 0) await trx('clinic_api_key').insert(newKeys).onConflict(['clinic', 'kind', 'key']).merge(['resource_id']);
    return out as RecordedVaccination[];
  });
}

/** Validates the FHIR resources a vaccination becomes (base spec rules); throws FhirError 400. */
export function validateVaccinationResources(deps: ClinicDeps, input: VaccinationInput, patientMemo?: ValidationMemo): void {
  const key = patientKey(input);
  // A clinic's patient usually appears on several rows with the same PHI: its Patient is validated once per import.
  check(deps, phiToPatient(input.clinic, key, input.phi), patientMemo);
  check(deps, vaccinationToImmunization(input, 'placeholder-patient', input.recordId ?? 'new', deps.tracker.engine));
}
