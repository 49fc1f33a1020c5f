import { badRequest } from '../../../shared/fhir-error';
import type { FhirResponse } from '../fhir-request';
import type { RequestContext } from '../request-context';
import { parsePrefer } from '../request-rules';

const TRANSPORT_PARAMS = new Set(['_format', '_pretty']);

/** search: GET [type]?..., POST [type]/_search, system and compartment search (http://hl7.org/fhir/R4/search.html). */
export async function search(
  ctx: RequestContext,
  request: { type?: string; compartment?: { type: string; id: string }; query: Array<[string, string]>; prefer?: string },
): Promise<FhirResponse> {
  if (request.compartment && request.compartment.type !== 'Patient' && !['Encounter', 'RelatedPerson', 'Practitioner', 'Device'].includes(request.compartment.type)) {
    throw badRequest(`${request.compartment.type} is not a compartment: expected Patient, Encounter, RelatedPerson, Practitioner or Device`);
  }
  const bundle = await ctx.services.search.search(ctx.trx ?? ctx.services.knex, {
    resourceType: request.type,
    compartment: request.compartment,
    params: request.query.filter(([k]) => !TRANSPORT_PARAMS.has(k)),
    baseUrl: ctx.services.baseUrl,
    strict: parsePrefer(request.prefer).strict,
  });
  return { status: 200, resource: bundle };
}
