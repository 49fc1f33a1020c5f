import type { Parameters, ParametersParameter } from 'fhir/r4';
import type { CdsiEngine } from '../cdsi/engine';
import { parseForecastInput } from './parse-forecast-input';
import { toImmunizationEvaluation } from './to-immunization-evaluation';
import { toImmunizationRecommendation } from './to-immunization-recommendation';

/**
 * Runs $immds-forecast (http://hl7.org/fhir/us/immds/OperationDefinition/ImmDSForecastOperation) on an input
 * Parameters resource; returns the output Parameters: one `evaluation` (ImmunizationEvaluation) per dose and antigen
 * and one `recommendation` (ImmunizationRecommendation, an entry per vaccine group). Stateless.
 * Throws FhirError 400/422 for bad input.
 */
export function runImmdsForecast(input: Parameters, engine: CdsiEngine): Parameters {
  const request = parseForecastInput(input, engine);
  const result = engine.evaluate(request.input);
  const date = result.assessmentDate;
  const parameter: ParametersParameter[] = [];
  for (const group of result.vaccineGroups) {
    for (const row of group.evaluations) {
      parameter.push({ name: 'evaluation', resource: toImmunizationEvaluation(row, request.patient, request.immunizations.get(row.doseId), date) });
    }
  }
  parameter.push({
    name: 'recommendation',
    resource: toImmunizationRecommendation(result.vaccineGroups, request.patient, request.immunizations, date, engine.data),
  });
  return { resourceType: 'Parameters', parameter };
}
