import type { OperationHandler } from './fhir/rest/request-context';

/** Operations contributed by the domain modules (immunization, linkage, ...), registered in one list. */
export function buildOperations(): OperationHandler[] {
  return [];
}
