import type { Immunization, ImmunizationRecommendation, ImmunizationRecommendationRecommendation, Patient } from 'fhir/r4';
import type { VaccineGroupResult } from '../cdsi/engine-types';
import type { SupportingData } from '../cdsi/supporting-data';
import { CVX_SYSTEM } from './parse-forecast-input';
import { immunizationReference, patientReference } from './to-immunization-evaluation';

/** HL7 forecast status code system (http://hl7.org/fhir/R4/codesystem-immunization-recommendation-status.html). */
export const FORECAST_STATUS_SYSTEM = 'http://terminology.hl7.org/CodeSystem/immunization-recommendation-status';
/** Tessera code system carrying the CDSi patient series status verbatim (Not complete, Complete, Immune, Aged out, ...). */
export const CDSI_SERIES_STATUS_SYSTEM = 'https://tessera.example.org/fhir/CodeSystem/cdsi-series-status';
/** LOINC codes for ImmunizationRecommendation.dateCriterion.code as used by the ImmDS IG. */
export const DATE_CRITERION = {
  earliest: { system: 'http://loinc.org', code: '30981-5', display: 'Earliest date to give' },
  recommended: { system: 'http://loinc.org', code: '30980-7', display: 'Date vaccine due' },
  pastDue: { system: 'http://loinc.org', code: '59778-1', display: 'Date when overdue for immunization' },
  latest: { system: 'http://loinc.org', code: '59777-3', display: 'Latest date to give immunization' },
} as const;

/** Maps a CDSi series status (and, when not complete, the dates) to the HL7 forecast status code. */
export function forecastStatusCode(group: VaccineGroupResult, assessmentDate: string): string {
  switch (group.status) {
    case 'Complete': return 'complete';
    case 'Immune': return 'immune';
    case 'Contraindicated': return 'contraindicated';
    case 'Aged out': case 'Not recommended': return 'complete';
    default:
      return group.forecast?.pastDue !== undefined && assessmentDate >= group.forecast.pastDue ? 'overdue' : 'due';
  }
}

/**
 * The ImmunizationRecommendation of the run (http://hl7.org/fhir/R4/immunizationrecommendation.html): one
 * recommendation per vaccine group with forecastStatus (HL7 code + CDSi series status such as "Aged out"),
 * dateCriterion earliest / recommended / past due / latest, the next dose number and the preferred CVX codes.
 */
export function toImmunizationRecommendation(
  groups: VaccineGroupResult[], patient: Patient, immunizations: Map<string, Immunization>, assessmentDate: string, data: SupportingData,
): ImmunizationRecommendation {
  const recommendation = groups.map((g): ImmunizationRecommendationRecommendation => {
    const code = forecastStatusCode(g, assessmentDate);
    const rec: ImmunizationRecommendationRecommendation = {
      targetDisease: { text: g.vaccineGroup },
      forecastStatus: {
        coding: [{ system: FORECAST_STATUS_SYSTEM, code }, { system: CDSI_SERIES_STATUS_SYSTEM, code: g.status }],
        text: g.status,
      },
    };
    const f = g.forecast;
    if (f) {
      rec.vaccineCode = f.vaccineTypes.map((cvx) => ({
        coding: [{ system: CVX_SYSTEM, code: data.cvx.get(cvx)?.cvx ?? cvx, display: data.cvx.get(cvx)?.shortDescription }],
      }));
      rec.doseNumberPositiveInt = f.doseNumber;
      rec.dateCriterion = [
        { code: { coding: [DATE_CRITERION.earliest] }, value: f.earliest },
        { code: { coding: [DATE_CRITERION.recommended] }, value: f.recommended },
      ];
      if (f.pastDue) rec.dateCriterion.push({ code: { coding: [DATE_CRITERION.pastDue] }, value: f.pastDue });
      if (f.latest) rec.dateCriterion.push({ code: { coding: [DATE_CRITERION.latest] }, value: f.latest });
    }
    const series = [...new Set(g.antigens.map((a) => a.best.series.seriesName))];
    rec.series = series.join('; ');
    const supporting = [...new Set(g.evaluations.filter((e) => e.status === 'Valid').map((e) => e.doseId))];
    if (supporting.length > 0) rec.supportingImmunization = supporting.map((id) => immunizationReference(immunizations.get(id), id));
    return rec;
  });
  return { resourceType: 'ImmunizationRecommendation', patient: patientReference(patient), date: assessmentDate, recommendation };
}
