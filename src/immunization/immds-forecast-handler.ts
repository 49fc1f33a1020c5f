import type { Parameters, Resource } from 'fhir/r4';
import { badRequest } from '../shared/fhir-error';
import type { OperationHandler } from '../fhir/rest/request-context';
import type { CdsiEngine } from './cdsi';
import { runImmdsForecast } from './forecast/immds-forecast-operation';
import { immdsForecastOperationDefinition } from './forecast/immds-forecast.operation-definition';

/**
 * POST /fhir/$immds-forecast (HL7 Immunization Decision Support Forecast IG): stateless CDSi
 * evaluation and forecast of the Patient and Immunizations in the input Parameters.
 */
export function immdsForecastHandler(engine: CdsiEngine): OperationHandler {
  return {
    name: 'immds-forecast',
    levels: ['system'],
    methods: ['POST'],
    definition: { url: immdsForecastOperationDefinition.url!, name: immdsForecastOperationDefinition.name! },
    async invoke(_ctx, call): Promise<Resource> {
      if (call.body?.resourceType !== 'Parameters') throw badRequest('$immds-forecast expects a Parameters resource with assessmentDate, patient and immunization');
      return runImmdsForecast(call.body as Parameters, engine);
    },
  };
}
