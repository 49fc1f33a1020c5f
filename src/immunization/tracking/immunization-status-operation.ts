import type { Immunization, Parameters, ParametersParameter, Patient, Resource } from 'fhir/r4';
import { badRequest, gone, issue, notFound, unprocessable } from '../../shared/fhir-error';
import type { OperationCall, OperationHandler, RequestContext } from '../../fhir/rest/request-context';
import type { Db } from '../../storage/resource-store';
import { toImmunizationEvaluation } from '../forecast/to-immunization-evaluation';
import { toImmunizationRecommendation } from '../forecast/to-immunization-recommendation';
import { dedupeDoses } from './dose-record';
import type { ImmunizationTracker, PersonRecords } from './immunization-tracker';
import { personFacts, toTrackedDose } from './immunization-tracker';
import { stateOf } from './person-timeline';
import { isDay } from './tracking-model';
import { parametersNamed, rejectUnknownParameters, stringParameter } from '../../fhir/operations/operation-parameters';

/** Canonical URL of the $immunization-status OperationDefinition. */
export const IMMUNIZATION_STATUS_URL = 'https://tessera.example.org/fhir/OperationDefinition/Patient-immunization-status';

const PARAMS = new Set(['vaccine-group', 'date']);

/** The records of the person a Patient belongs to (the Patient alone when it is not linked yet). */
async function personRecords(db: Db, tracker: ImmunizationTracker, ctx: RequestContext, patient: Patient): Promise<PersonRecords> {
  const personId = await ctx.services.persons.personOf(db, patient.id!);
  if (personId) {
    const [records] = await tracker.loadPersons(db, [personId]);
    if (records.patients.length > 0) return records;
  }
  const rows = await db('imm_dose').where({ patient_id: patient.id }).select('immunization_id', 'patient_id', db.raw('dose_date::text AS dose_date'), 'cvx', 'clinic');
  return { personId: personId ?? '', members: [patient.id!], patients: [patient], facts: personFacts([patient]), doses: rows.map(toTrackedDose) };
}

/**
 * The person's immunization status for the requested vaccine groups as of `date` (default today),
 * over all linked Patient records: status per group, one ImmunizationEvaluation per counted dose
 * (duplicates reported separately) and an ImmunizationRecommendation. Throws FhirError 400/404/410/422.
 */
export async function immunizationStatus(ctx: RequestContext, tracker: ImmunizationTracker, patientId: string, call: OperationCall): Promise<Parameters> {
  rejectUnknownParameters(call, PARAMS, 'immunization-status');
  const engine = tracker.engine;
  const requested = parametersNamed(call, 'vaccine-group').flatMap((p) => (p.valueString ?? p.valueCode ?? '').split(',')).map((s) => s.trim()).filter(Boolean);
  const groups = requested.length === 0 ? tracker.trackedGroups : requested.map((name) => {
    const g = engine.vaccineGroups.find((v) => v.toLowerCase() === name.toLowerCase());
    if (!g) throw badRequest(`Unknown vaccine group '${name}': expected one of ${engine.vaccineGroups.join(', ')}`, "Parameters.parameter.where(name='vaccine-group')");
    return g;
  });
  const date = stringParameter(call, 'date') ?? ctx.now().toISOString().slice(0, 10);
  if (!isDay(date)) throw badRequest(`Parameter 'date' must be a day YYYY-MM-DD, got '${date}'`, "Parameters.parameter.where(name='date')");

  const db = ctx.trx ?? ctx.services.knex;
  const stored = await ctx.services.store.read(db, 'Patient', patientId);
  if (!stored) throw notFound(`Patient/${patientId} does not exist`);
  if (stored.deleted || !stored.content) throw gone(`Patient/${patientId} has been deleted`);
  const patient = stored.content as Patient;
  const records = await personRecords(db, tracker, ctx, patient);
  const birthDate = records.facts.birthDate;
  if (!birthDate) throw unprocessable([issue('required', `No birth date on Patient/${patientId} or its linked records: CDSi evaluation needs one`, 'Patient.birthDate')]);

  const { kept, duplicates } = dedupeDoses(records.doses.filter((d) => d.date <= date));
  const result = engine.evaluate({ birthDate, gender: records.facts.gender, assessmentDate: date, doses: kept.map((d) => ({ id: d.immunizationId, date: d.date, cvx: d.cvx })), vaccineGroups: groups });
  const subject: Patient = { resourceType: 'Patient', id: patientId };
  const imms = new Map<string, Immunization>(kept.map((d) => [d.immunizationId, { resourceType: 'Immunization', id: d.immunizationId } as Immunization]));
  const parameter: ParametersParameter[] = [{ name: 'date', valueDate: date }];
  for (const id of records.members) if (records.patients.some((p) => p.id === id)) parameter.push({ name: 'linked-patient', valueReference: { reference: `Patient/${id}` } });
  for (const group of groups) {
    const g = result.vaccineGroups.find((v) => v.vaccineGroup === group);
    parameter.push({
      name: 'status',
      part: [
        { name: 'vaccine-group', valueString: group },
        { name: 'status', valueCode: stateOf(result, group) },
        { name: 'series-status', valueString: g?.status ?? 'Not complete' },
        { name: 'valid-doses', valueInteger: g?.validDoseCount ?? 0 },
      ],
    });
  }
  for (const g of result.vaccineGroups) {
    for (const row of g.evaluations) {
      const evaluation = toImmunizationEvaluation(row, subject, imms.get(row.doseId), date);
      const best = g.antigens.find((a) => a.antigen === row.antigen)?.best;
      if (best) evaluation.seriesDosesPositiveInt = best.series.seriesDose.length;
      parameter.push({ name: 'evaluation', resource: evaluation });
    }
  }
  for (const d of duplicates) {
    parameter.push({ name: 'duplicate', part: [{ name: 'immunization', valueReference: { reference: `Immunization/${d.dose.immunizationId}` } }, { name: 'same-as', valueReference: { reference: `Immunization/${d.of}` } }] });
  }
  parameter.push({ name: 'recommendation', resource: toImmunizationRecommendation(result.vaccineGroups, subject, imms, date, engine.data) });
  return { resourceType: 'Parameters', parameter };
}

/** GET /fhir/Patient/{id}/$immunization-status?vaccine-group=&date= (Tessera operation). */
export function immunizationStatusHandler(tracker: ImmunizationTracker): OperationHandler {
  return {
    name: 'immunization-status',
    levels: ['instance'],
    resourceTypes: ['Patient'],
    methods: ['GET', 'POST'],
    definition: { url: IMMUNIZATION_STATUS_URL, name: 'ImmunizationStatus' },
    async invoke(ctx: RequestContext, call: OperationCall): Promise<Resource> {
      return immunizationStatus(ctx, tracker, call.id!, call);
    },
  };
}
