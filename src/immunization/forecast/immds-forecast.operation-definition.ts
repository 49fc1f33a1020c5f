import type { OperationDefinition } from 'fhir/r4';

/**
 * OperationDefinition of $immds-forecast, as published by the HL7 Immunization Decision Support Forecast IG
 * (http://hl7.org/fhir/us/immds/OperationDefinition/ImmDSForecastOperation), for the CapabilityStatement.
 */
export const immdsForecastOperationDefinition: OperationDefinition = {
  resourceType: 'OperationDefinition',
  id: 'ImmDSForecastOperation',
  url: 'http://hl7.org/fhir/us/immds/OperationDefinition/ImmDSForecastOperation',
  name: 'ImmDSForecast',
  title: 'Immunization Decision Support Forecast',
  status: 'active',
  kind: 'operation',
  description: 'Evaluates an immunization history and forecasts next doses by the CDC CDSi logic specification and supporting data.',
  code: 'immds-forecast',
  system: true,
  type: false,
  instance: false,
  affectsState: false,
  parameter: [
    { name: 'assessmentDate', use: 'in', min: 1, max: '1', type: 'date', documentation: 'The date on which to assess the forecast.' },
    { name: 'patient', use: 'in', min: 1, max: '1', type: 'Patient', documentation: 'Patient information (birthDate required; gender used for gender-specific series).' },
    { name: 'immunization', use: 'in', min: 0, max: '*', type: 'Immunization', documentation: 'Patient immunization history (CVX in vaccineCode, occurrenceDateTime).' },
    { name: 'evaluation', use: 'out', min: 0, max: '*', type: 'ImmunizationEvaluation', documentation: 'The evaluation of each dose against each antigen series.' },
    { name: 'recommendation', use: 'out', min: 1, max: '1', type: 'ImmunizationRecommendation', documentation: 'The forecast: one recommendation per vaccine group.' },
  ],
};
