import type { Immunization, ImmunizationEvaluation, Patient, Reference } from 'fhir/r4';
import type { DoseEvaluationResult } from '../cdsi/engine-types';

/** HL7 dose status code system (http://hl7.org/fhir/R4/codesystem-immunization-evaluation-dose-status.html). */
export const DOSE_STATUS_SYSTEM = 'http://terminology.hl7.org/CodeSystem/immunization-evaluation-dose-status';
/** Tessera code system carrying the CDSi evaluation status verbatim (Valid / Not Valid / Extraneous / Sub standard). */
export const CDSI_DOSE_STATUS_SYSTEM = 'https://tessera.example.org/fhir/CodeSystem/cdsi-evaluation-status';

/** Reference to the patient of the request: by id when it has one, else by display. */
export function patientReference(patient: Patient): Reference {
  return patient.id ? { reference: `Patient/${patient.id}` } : { display: 'Patient given in the request' };
}

/** Reference to an input Immunization: by id when it has one, else by its position in the request. */
export function immunizationReference(imm: Immunization | undefined, doseId: string): Reference {
  return imm?.id ? { reference: `Immunization/${imm.id}` } : { display: `Parameters.parameter.where(name='immunization')[${doseId.replace(/^immunization-/, '')}]` };
}

/**
 * One ImmunizationEvaluation per dose and antigen (http://hl7.org/fhir/R4/immunizationevaluation.html):
 * doseStatus valid / notvalid (an extraneous dose does not count, so it is notvalid) with the CDSi status as a
 * second coding, doseStatusReason text from CDSi (e.g. "Age: Too Young"), the series and the dose number when valid.
 */
export function toImmunizationEvaluation(row: DoseEvaluationResult, patient: Patient, imm: Immunization | undefined, assessmentDate: string): ImmunizationEvaluation {
  const valid = row.status === 'Valid';
  const evaluation: ImmunizationEvaluation = {
    resourceType: 'ImmunizationEvaluation',
    status: 'completed',
    patient: patientReference(patient),
    date: assessmentDate,
    targetDisease: { text: row.antigen },
    immunizationEvent: immunizationReference(imm, row.doseId),
    doseStatus: {
      coding: [
        { system: DOSE_STATUS_SYSTEM, code: valid ? 'valid' : 'notvalid', display: valid ? 'Valid' : 'Not valid' },
        { system: CDSI_DOSE_STATUS_SYSTEM, code: row.status },
      ],
      text: row.status,
    },
    series: row.seriesName,
  };
  if (row.reason) evaluation.doseStatusReason = [{ text: row.reason }];
  if (row.doseNumber !== undefined) evaluation.doseNumberPositiveInt = row.doseNumber;
  return evaluation;
}
