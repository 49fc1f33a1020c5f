import type { OperationOutcomeIssue, Resource } from 'fhir/r4';
import { FhirError } from '../../shared/fhir-error';
import { isBlocking } from '../validation';
import type { RequestContext } from './request-context';

/** Issues raised by a profile (not the base specification) carry "(profile <url>)" in their diagnostics. */
const fromProfile = (i: OperationOutcomeIssue) => /\(profile [^)]+\)\s*$/.test(i.diagnostics ?? '');

/**
 * Validates a resource about to be written (http://hl7.org/fhir/R4/http.html#2.21.0.14): a
 * violation of the base specification (not valid R4: structure, values, cardinality, required
 * bindings, invariants) → 400; a resource valid R4 but violating a profile it claims → 422.
 * Warnings never block a write.
 */
export function validateForWrite(ctx: RequestContext, resource: Resource): void {
  const errors = ctx.services.validator.validate(resource).filter(isBlocking);
  if (errors.length === 0) return;
  throw new FhirError(errors.every(fromProfile) ? 422 : 400, errors);
}
