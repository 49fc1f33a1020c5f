import type { Principal } from '../../fhir/rest/request-context';
import { FhirError, issue } from '../../shared/fhir-error';

/** Clerical actions on the master person index that need authorisation. */
export type ClericalAction = 'review' | 'link' | 'unlink' | 'merge' | 'unmerge' | 'tokenized-patient' | 'match';

/**
 * Decides whether a principal may take a clerical action; throws a FhirError (403) to refuse. The one place where
 * SMART scopes / roles plug in (every linkage operation calls it before touching anything).
 */
export type LinkagePolicy = (principal: Principal, action: ClericalAction) => void;

/** Today's policy: there is no authentication yet, so every principal (anonymous included) may act. */
export const allowAll: LinkagePolicy = () => {};

/** A policy allowing only principals that hold one of `scopes` (for deployments with SMART auth). */
export function requireScopes(scopes: string[]): LinkagePolicy {
  return (principal, action) => {
    if (principal.scopes.some((s) => scopes.includes(s))) return;
    throw new FhirError(403, issue('forbidden', `$${action}: principal ${principal.subject} lacks one of the scopes ${scopes.join(', ')}`));
  };
}
