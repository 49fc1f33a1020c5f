import type { OperationHandler } from './fhir/rest/request-context';
import { loadCdsiEngine } from './immunization/cdsi';
import { immdsForecastHandler } from './immunization/immds-forecast-handler';

/** Operations contributed by the domain modules (immunization, linkage, ...), registered in one list. */
export function buildOperations(): OperationHandler[] {
  return [immdsForecastHandler(loadCdsiEngine())];
}
