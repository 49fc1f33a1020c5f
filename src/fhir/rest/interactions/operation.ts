import type { Parameters, ParametersParameter, Resource } from 'fhir/r4';
import { badRequest, notFound, notSupported } from '../../../shared/fhir-error';
import type { FhirRequest, FhirResponse } from '../fhir-request';
import { isRawBody } from '../fhir-request';
import type { RequestContext } from '../request-context';

/** Query-string parameters become Parameters.parameter with valueString (http://hl7.org/fhir/R4/operations.html#request). */
function parametersFromQuery(query: Array<[string, string]>): ParametersParameter[] {
  return query.filter(([k]) => k !== '_format' && k !== '_pretty').map(([name, valueString]) => ({ name, valueString }));
}

/** Invokes a registered `$operation` at system, type or instance level. */
export async function invokeOperation(ctx: RequestContext, req: FhirRequest, target: { name: string; type?: string; id?: string }): Promise<FhirResponse> {
  const level = target.id ? 'instance' : target.type ? 'type' : 'system';
  const where = `${target.type ? `${target.type}/` : ''}${target.id ? `${target.id}/` : ''}$${target.name}`;
  const handler = ctx.services.operations.find(
    (op) => op.name === target.name && op.levels.includes(level) && (!target.type || !op.resourceTypes || op.resourceTypes.includes(target.type)),
  );
  if (!handler) throw notFound(`Operation ${where} is not supported by this server (see /metadata for the operations it offers)`);
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  if (method !== 'GET' && method !== 'POST') throw notSupported(`${req.method} is not allowed for $${target.name}`, handler.methods);
  if (!handler.methods.includes(method)) throw notSupported(`${method} is not allowed for $${target.name}: use ${handler.methods.join(' or ')}`, handler.methods);
  let parameters: Parameters = { resourceType: 'Parameters', parameter: parametersFromQuery(req.query) };
  let body: Resource | undefined;
  if (method === 'POST' && req.body !== undefined) {
    if (isRawBody(req.body) || Array.isArray(req.body)) throw badRequest(`$${target.name} expects a FHIR resource body`);
    body = req.body as Resource;
    if (body.resourceType === 'Parameters') {
      parameters = { ...(body as Parameters), parameter: [...((body as Parameters).parameter ?? []), ...(parameters.parameter ?? [])] };
    }
  }
  const resource = await handler.invoke(ctx, { resourceType: target.type, id: target.id, parameters, body, query: req.query });
  return { status: 200, resource };
}
