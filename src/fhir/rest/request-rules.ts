import type { Resource } from 'fhir/r4';
import { FhirError, badRequest, issue, notFound } from '../../shared/fhir-error';
import { isResourceType } from '../model/definitions';

/** Logical ids: http://hl7.org/fhir/R4/datatypes.html#id */
const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;

/** Throws 404 for a path segment that is not an R4 resource type. */
export function requireResourceType(type: string): string {
  if (!isResourceType(type)) throw notFound(`Unknown resource type '${type}': expected an R4 resource type such as Patient (case-sensitive)`);
  return type;
}

/** Throws 400 unless `id` is a valid FHIR logical id. */
export function requireValidId(id: string, where = 'URL'): string {
  if (!ID_PATTERN.test(id)) throw badRequest(`Invalid resource id in ${where}: expected [A-Za-z0-9-.]{1,64}, got '${id.slice(0, 80)}'`);
  return id;
}

/** Parses a version id from a path or ETag value. */
export function parseVersionId(raw: string, where: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(raw)) throw badRequest(`Invalid version id in ${where}: expected a positive integer, got '${raw.slice(0, 40)}'`);
  return Number(raw);
}

/** Parses `If-Match: W/"3"` (or `"3"`) to a version number. */
export function parseIfMatch(header: string): number {
  const m = /^\s*(?:W\/)?"([^"]*)"\s*$/.exec(header);
  if (!m) throw badRequest(`Invalid If-Match header: expected W/"<versionId>", got '${header.slice(0, 40)}'`);
  return parseVersionId(m[1], 'If-Match');
}

/** A weak ETag for a version id. */
export function etag(versionId: string | number): string {
  return `W/"${versionId}"`;
}

/** Requires the body to be a resource of `type` (400 otherwise). */
export function requireBodyResource(body: unknown, type?: string): Resource {
  if (body === undefined) throw badRequest(`Request body is required: expected a FHIR ${type ?? ''} resource`.replace('  ', ' '));
  if (typeof body !== 'object' || body === null || Array.isArray(body) || typeof (body as Resource).resourceType !== 'string') {
    throw badRequest('Request body is not a FHIR resource: expected a JSON object with a resourceType');
  }
  const resource = body as Resource;
  if (type && resource.resourceType !== type) {
    throw new FhirError(400, issue('invalid', `Resource type in body '${resource.resourceType}' does not match the URL: expected '${type}'`, 'resourceType'));
  }
  if (!isResourceType(resource.resourceType)) {
    throw new FhirError(400, issue('invalid', `Unknown resource type '${resource.resourceType}' in body`, 'resourceType'));
  }
  return resource;
}

/** Parsed `Prefer` header (http://hl7.org/fhir/R4/http.html#ops). */
export interface Preferences {
  return: 'minimal' | 'representation' | 'OperationOutcome';
  strict: boolean;
  respondAsync: boolean;
}

export function parsePrefer(header: string | undefined): Preferences {
  const out: Preferences = { return: 'representation', strict: false, respondAsync: false };
  for (const part of (header ?? '').split(/[;,]/)) {
    const [k, v] = part.split('=').map((s) => s?.trim().replace(/^"|"$/g, ''));
    if (k === 'return' && (v === 'minimal' || v === 'representation' || v === 'OperationOutcome')) out.return = v;
    if (k === 'handling') out.strict = v === 'strict';
    if (k === 'respond-async') out.respondAsync = true;
  }
  return out;
}
