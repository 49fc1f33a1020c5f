import type { Immunization, OperationOutcomeIssue, Parameters, ParametersParameter, Patient } from 'fhir/r4';
import { FhirError, badRequest, issue } from '../../shared/fhir-error';
import type { CdsiEngine } from '../cdsi/engine';
import { parseDay } from '../cdsi/cdsi-date';
import type { DoseInput, EvaluateInput } from '../cdsi/engine-types';
import { normalizeCvx } from '../cdsi/supporting-data';

/** CVX code system URI (http://hl7.org/fhir/sid/cvx). */
export const CVX_SYSTEM = 'http://hl7.org/fhir/sid/cvx';

/** The validated content of an $immds-forecast request. */
export interface ForecastRequest {
  input: EvaluateInput;
  patient: Patient;
  /** Immunizations used, keyed by the dose id given to the engine. */
  immunizations: Map<string, Immunization>;
}

const FULL_DATE = /^\d{4}-\d{2}-\d{2}/;
const where = (name: string) => `Parameters.parameter.where(name='${name}')`;

function params(input: Parameters, name: string): ParametersParameter[] {
  return (input.parameter ?? []).filter((p) => p.name === name);
}

/**
 * Validates an $immds-forecast input Parameters (http://hl7.org/fhir/us/immds/OperationDefinition/ImmDSForecastOperation):
 * assessmentDate 1..1, patient 1..1 (with a full birthDate), immunization 0..* (CVX vaccineCode, occurrenceDateTime
 * on/after birth). Structural problems → 400; unusable content → 422 listing every problem with its FHIRPath.
 * Immunizations with status not-done / entered-in-error, or given after the assessment date, are not evaluated.
 */
export function parseForecastInput(input: Parameters, engine: CdsiEngine): ForecastRequest {
  if (!input || input.resourceType !== 'Parameters') {
    throw badRequest(`$immds-forecast expects a Parameters resource, got ${input?.resourceType ?? 'nothing'}`, 'Parameters');
  }
  const dateParams = params(input, 'assessmentDate');
  if (dateParams.length !== 1) throw badRequest(`assessmentDate is required exactly once (got ${dateParams.length})`, where('assessmentDate'));
  const dateText = dateParams[0].valueDate ?? dateParams[0].valueDateTime;
  const assessment = dateText && FULL_DATE.test(dateText) ? parseDay(dateText) : undefined;
  if (assessment === undefined) {
    throw badRequest(`assessmentDate must be a full date (YYYY-MM-DD), got ${JSON.stringify(dateText ?? null)}`, `${where('assessmentDate')}.value`);
  }
  const patientParams = params(input, 'patient');
  if (patientParams.length !== 1) throw badRequest(`patient is required exactly once (got ${patientParams.length})`, where('patient'));
  const patient = patientParams[0].resource as Patient | undefined;
  if (!patient || patient.resourceType !== 'Patient') {
    throw badRequest(`patient must carry a Patient resource, got ${patient?.resourceType ?? 'nothing'}`, `${where('patient')}.resource`);
  }
  const issues: OperationOutcomeIssue[] = [];
  const birth = patient.birthDate && FULL_DATE.test(patient.birthDate) ? parseDay(patient.birthDate) : undefined;
  if (birth === undefined) {
    issues.push(issue('required', `Patient.birthDate must be a full date (YYYY-MM-DD), got ${JSON.stringify(patient.birthDate ?? null)}`, `${where('patient')}.resource.birthDate`));
  } else if (birth > assessment) {
    issues.push(issue('invalid', `Patient.birthDate ${patient.birthDate} is after the assessmentDate ${dateText}`, `${where('patient')}.resource.birthDate`));
  }

  const doses: DoseInput[] = [];
  const immunizations = new Map<string, Immunization>();
  params(input, 'immunization').forEach((p, i) => {
    const path = `${where('immunization')}[${i}].resource`;
    const imm = p.resource as Immunization | undefined;
    if (!imm || imm.resourceType !== 'Immunization') {
      issues.push(issue('structure', `immunization[${i}] must carry an Immunization resource, got ${imm?.resourceType ?? 'nothing'}`, path));
      return;
    }
    if (imm.status === 'not-done' || imm.status === 'entered-in-error') return;
    const codings = imm.vaccineCode?.coding ?? [];
    const cvxCoding = codings.find((c) => c.system === CVX_SYSTEM) ?? codings.find((c) => !c.system && /^\d+$/.test(c.code ?? ''));
    if (!cvxCoding?.code) {
      issues.push(issue('required', `immunization[${i}] has no CVX code (vaccineCode.coding with system ${CVX_SYSTEM})`, `${path}.vaccineCode`));
      return;
    }
    const cvx = normalizeCvx(cvxCoding.code);
    if (!engine.data.cvx.has(cvx)) {
      issues.push(issue('code-invalid', `immunization[${i}] has unknown CVX code '${cvxCoding.code}'`, `${path}.vaccineCode.coding.code`));
      return;
    }
    const when = imm.occurrenceDateTime;
    const day = when && FULL_DATE.test(when) ? parseDay(when) : undefined;
    if (day === undefined) {
      issues.push(issue('required', `immunization[${i}] needs occurrenceDateTime as a full date, got ${JSON.stringify(when ?? imm.occurrenceString ?? null)}`, `${path}.occurrence`));
      return;
    }
    if (birth !== undefined && day < birth) {
      issues.push(issue('invalid', `immunization[${i}] occurrenceDateTime ${when} is before Patient.birthDate ${patient.birthDate}`, `${path}.occurrence`));
      return;
    }
    if (day > assessment) return;
    const id = `immunization-${i}`;
    immunizations.set(id, imm);
    doses.push({ id, date: when!.slice(0, 10), cvx, mvx: imm.manufacturer?.identifier?.value });
  });
  if (issues.length > 0) throw new FhirError(422, issues);
  return {
    input: { birthDate: patient.birthDate!.slice(0, 10), gender: patient.gender, assessmentDate: dateText!.slice(0, 10), doses },
    patient,
    immunizations,
  };
}
