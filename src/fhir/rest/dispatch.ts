import type { Binary, Bundle, Resource } from 'fhir/r4';
import { FhirError, badRequest, issue, notFound, notSupported } from '../../shared/fhir-error';
import type { FhirRequest, FhirResponse } from './fhir-request';
import { isRawBody } from './fhir-request';
import type { RequestContext } from './request-context';
import { requireBodyResource, requireResourceType, requireValidId } from './request-rules';
import { read, vread } from './interactions/read';
import { create } from './interactions/create';
import { conditionalUpdate, update } from './interactions/update';
import { patch } from './interactions/patch';
import { conditionalDelete, deleteResource } from './interactions/delete';
import { history } from './interactions/history';
import { search } from './interactions/search';
import { capabilities } from './interactions/capabilities';
import { invokeOperation } from './interactions/operation';
import { processBundle } from '../bundle/process-bundle';

const criteriaOf = (query: Array<[string, string]>) => new URLSearchParams(query.filter(([k]) => !k.startsWith('_format') && k !== '_pretty')).toString();

/** Turns a raw Binary upload into a Binary resource (the content type is the upload's). */
function bodyResource(req: FhirRequest, type: string): Resource {
  if (isRawBody(req.body)) {
    if (type !== 'Binary') throw badRequest(`Content-Type '${req.body.contentType}' is only accepted for Binary; send ${type} as application/fhir+json or application/fhir+xml`);
    const binary: Binary = { resourceType: 'Binary', contentType: req.body.contentType, data: req.body.raw.toString('base64') };
    return binary;
  }
  return requireBodyResource(req.body, type);
}

/** 405 for a method the path does not support (module-level: no closure per request on the hot path). */
function notAllowed(req: FhirRequest, ...methods: string[]): FhirError {
  return notSupported(`${req.method} is not supported on /${req.path.join('/')}: allowed ${methods.join(', ')}`, methods);
}

/**
 * The one router for FHIR requests, used by the HTTP adapter and by batch/transaction entries:
 * decides the interaction from method and path and calls its transport-free handler.
 */
export async function dispatch(ctx: RequestContext, req: FhirRequest): Promise<FhirResponse> {
  const [first, second, third, fourth, ...extra] = req.path;
  const method = req.method === 'HEAD' ? 'GET' : req.method;

  if (first === undefined) {
    if (method === 'POST') return processBundle(ctx, requireBodyResource(req.body, 'Bundle') as Bundle);
    if (method === 'GET') return search(ctx, { query: req.query, prefer: req.headers.prefer });
    throw notAllowed(req, 'GET', 'POST');
  }
  if (first === 'metadata') {
    if (method !== 'GET' || second !== undefined) throw notAllowed(req, 'GET');
    return capabilities(ctx);
  }
  if (first === '_history') {
    if (method !== 'GET' || second !== undefined) throw notAllowed(req, 'GET');
    return history(ctx, {}, req.query);
  }
  if (first === '_search' && second === undefined) {
    if (method !== 'POST') throw notAllowed(req, 'POST');
    return search(ctx, { query: req.query, prefer: req.headers.prefer });
  }
  if (first.startsWith('$')) {
    if (second !== undefined) throw notFound(`Unknown path /${req.path.join('/')}`);
    return invokeOperation(ctx, req, { name: first.slice(1) });
  }
  const type = requireResourceType(first);
  if (second === undefined) {
    if (method === 'GET') return search(ctx, { type, query: req.query, prefer: req.headers.prefer });
    if (method === 'POST') return create(ctx, type, bodyResource(req, type), req.headers.ifNoneExist, req.headers.prefer);
    if (method === 'PUT' && req.query.length) return conditionalUpdate(ctx, type, criteriaOf(req.query), bodyResource(req, type), req.headers);
    if (method === 'DELETE' && req.query.length) return conditionalDelete(ctx, type, criteriaOf(req.query));
    if (method === 'PATCH' && req.query.length) return conditionalPatch(ctx, type, req);
    throw notAllowed(req, 'GET', 'POST', 'PUT (conditional)', 'DELETE (conditional)');
  }
  if (second === '_history' && third === undefined) {
    if (method !== 'GET') throw notAllowed(req, 'GET');
    return history(ctx, { type }, req.query);
  }
  if (second === '_search' && third === undefined) {
    if (method !== 'POST') throw notAllowed(req, 'POST');
    return search(ctx, { type, query: req.query, prefer: req.headers.prefer });
  }
  if (second.startsWith('$')) {
    if (third !== undefined) throw notFound(`Unknown path /${req.path.join('/')}`);
    return invokeOperation(ctx, req, { name: second.slice(1), type });
  }
  const id = requireValidId(second);
  if (third === undefined) {
    if (method === 'GET') return read(ctx, type, id);
    if (method === 'PUT') {
      const body = bodyResource(req, type);
      return update(ctx, type, id, isRawBody(req.body) ? { ...body, id } : body, req.headers);
    }
    if (method === 'PATCH') return patch(ctx, type, id, req.body, req.headers);
    if (method === 'DELETE') return deleteResource(ctx, type, id);
    throw notAllowed(req, 'GET', 'PUT', 'PATCH', 'DELETE');
  }
  if (third === '_history') {
    if (method !== 'GET') throw notAllowed(req, 'GET');
    if (fourth === undefined) return history(ctx, { type, id }, req.query);
    if (extra.length === 0) return vread(ctx, type, id, fourth);
  }
  if (third.startsWith('$') && fourth === undefined) return invokeOperation(ctx, req, { name: third.slice(1), type, id });
  if (fourth === undefined && method === 'GET') {
    // Compartment search: Patient/123/Immunization or Patient/123/*
    if (third !== '*') requireResourceType(third);
    return search(ctx, { type: third === '*' ? undefined : third, compartment: { type, id }, query: req.query, prefer: req.headers.prefer });
  }
  throw notFound(`Unknown path /${req.path.join('/')}`);
}

async function conditionalPatch(ctx: RequestContext, type: string, req: FhirRequest): Promise<FhirResponse> {
  const criteria = criteriaOf(req.query);
  const ids = await ctx.services.search.findIds(ctx.trx ?? ctx.services.knex, type, criteria, 2);
  if (ids.length === 0) throw notFound(`No ${type} matches the conditional patch criteria '${criteria}'`);
  if (ids.length > 1) throw new FhirError(412, issue('multiple-matches', `Conditional patch criteria '${criteria}' match more than one ${type}`));
  return patch(ctx, type, ids[0], req.body, req.headers);
}

