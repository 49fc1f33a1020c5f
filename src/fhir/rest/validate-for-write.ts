import type { OperationOutcomeIssue, Resource } from 'fhir/r4';
import { FhirError } from '../../shared/fhir-error';
import type { RequestContext } from './request-context';

const isError = (i: OperationOutcomeIssue) => i.severity === 'error' || i.severity === 'fatal';

/**
 * Validates a resource about to be written: structural problems (not valid R4 JSON) → 400,
 * violations of the definitions' rules or of a profile → 422. Warnings never block a write.
 */
export function validateForWrite(ctx: RequestContext, resource: Resource): void {
  const issues = ctx.services.validator.validate(resource);
  const errors = issues.filter(isError);
  if (errors.length === 0) return;
  const structural = errors.some((i) => i.code === 'structure');
  throw new FhirError(structural ? 400 : 422, errors);
}
