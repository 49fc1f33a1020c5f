import type { Knex } from 'knex';
import type { Immunization, Organization, Patient, Resource } from 'fhir/r4';
import { FhirError } from '../shared/fhir-error';
import type { FhirServices } from '../fhir/rest/request-context';
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

function check(deps: ClinicDeps, resource: Resource): void {
  const errors = deps.services.validator.validate(resource).filter((i) => i.severity === 'error' || i.severity === 'fatal');
  if (errors.length > 0) throw new FhirError(400, errors);
}

/** Creates or updates the clinic's Patient (the caller records a new key); returns the Patient id. */
async function upsertPatient(trx: Knex.Transaction, deps: ClinicDeps, patient: Patient, existingId: string | undefined): Promise<{ id: string; created: boolean }> {
  if (existingId) {
    const current = await deps.services.store.read(trx, 'Patient', existingId);
    if (current && !current.deleted) {
      await deps.services.store.update(trx, { ...patient, id: existingId });
      return { id: existingId, created: false };
    }
  }
  const v = await deps.services.store.create(trx, patient);
  return { id: v.id, created: true };
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
    for (const [pkey, input] of lastByPatient) {
      const patient = phiToPatient(clinic, pkey, input.phi);
      const { id, created } = await upsertPatient(trx, deps, patient, patientIds.get(pkey));
      if (created) newKeys.push({ clinic, kind: 'patient', key: pkey, resource_id: id });
      patientOf.set(pkey, id);
    }
    const existing = new Map(((await deps.services.store.readMany(trx, 'Immunization', [...recordIds.values()])) as Immunization[]).map((i) => [i.id!, i]));
    const out: RecordedVaccination[] = [];
    for (const k of keyed) {
      const patientId = patientOf.get(k.pkey)!;
      const recordKey = k.rkey ?? `auto-${crypto.randomUUID()}`;
      const imm = vaccinationToImmunization(k.input, patientId, recordKey, deps.tracker.engine);
      const existingId = k.rkey ? recordIds.get(k.rkey) : undefined;
      if (existingId && existing.has(existingId)) {
        const r = await deps.services.store.update(trx, { ...imm, id: existingId });
        out.push({ immunizationId: existingId, patientId, result: r.unchanged ? 'unchanged' : 'updated' });
        continue;
      }
      const v = await deps.services.store.create(trx, imm);
      newKeys.push({ clinic, kind: 'record', key: recordKey, resource_id: v.id });
      if (k.rkey) recordIds.set(k.rkey, v.id);
      existing.set(v.id, v.content as Immunization);
      out.push({ immunizationId: v.id, patientId, result: 'created' });
    }
    if (newKeys.length > 0) await trx('clinic_api_key').insert(newKeys).onConflict(['clinic', 'kind', 'key']).merge(['resource_id']);
    return out;
  });
}

/** Validates the FHIR resources a vaccination becomes (base spec rules); throws FhirError 400. */
export function validateVaccinationResources(deps: ClinicDeps, input: VaccinationInput): void {
  const key = patientKey(input);
  check(deps, phiToPatient(input.clinic, key, input.phi));
  check(deps, vaccinationToImmunization(input, 'placeholder-patient', input.recordId ?? 'new', deps.tracker.engine));
}
