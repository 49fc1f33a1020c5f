import type { Resource } from 'fhir/r4';
import { FhirError, badRequest, issue } from '../../../shared/fhir-error';
import { fhirXmlToJson } from '../../format/xml';
import type { FhirRequest } from '../fhir-request';

export type Format = 'json' | 'xml';

const JSON_TYPES = new Set(['application/fhir+json', 'application/json', 'json', 'application/json+fhir', 'text/json']);
const XML_TYPES = new Set(['application/fhir+xml', 'application/xml', 'xml', 'text/xml', 'application/xml+fhir']);

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * The response format: `_format` wins over `Accept` (http://hl7.org/fhir/R4/http.html#mime-type).
 * Returns undefined when the client asked for a non-FHIR type (e.g. a Binary's native content).
 */
export function responseFormat(formatParam: string | undefined, accept: string | undefined): Format | undefined | 'any' {
  if (formatParam) {
    const f = mediaType(formatParam);
    if (XML_TYPES.has(f)) return 'xml';
    // Browsers asking for HTML get JSON (Tessera serves no HTML rendering).
    if (JSON_TYPES.has(f) || f === 'html' || f === 'text/html') return 'json';
    throw new FhirError(406, issue('not-supported', `_format '${formatParam.slice(0, 60)}' is not supported: expected json, xml, application/fhir+json or application/fhir+xml`, '_format'));
  }
  if (!accept) return 'any';
  const ranges = accept.split(',').map((r) => {
    const [type, ...params] = r.split(';').map((s) => s.trim().toLowerCase());
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? '1');
    return { type, q: Number.isFinite(q) ? q : 1 };
  }).filter((r) => r.q > 0).sort((a, b) => b.q - a.q);
  for (const { type } of ranges) {
    if (JSON_TYPES.has(type)) return 'json';
    if (XML_TYPES.has(type)) return 'xml';
    if (type === '*/*' || type === 'application/*') return 'any';
  }
  return undefined;
}

/** Parses a request body by its Content-Type into what FhirRequest.body carries. */
export function parseBody(payload: Buffer | undefined, contentTypeHeader: string | undefined, method: string, path: string[]): FhirRequest['body'] {
  if (!payload || payload.length === 0) return undefined;
  const type = mediaType(contentTypeHeader);
  const isBinaryTarget = path[0] === 'Binary' && (method === 'POST' || method === 'PUT') && path.length <= 2;
  if (type === 'application/json-patch+json') {
    if (method !== 'PATCH') throw new FhirError(415, issue('not-supported', 'application/json-patch+json is only accepted for PATCH'));
    const parsed = parseJson(payload);
    if (!Array.isArray(parsed)) throw badRequest('A JSON Patch body must be an array of operations');
    return parsed;
  }
  if (JSON_TYPES.has(type) || (type === '' && !isBinaryTarget)) return parseJson(payload) as Resource;
  if (XML_TYPES.has(type)) return fhirXmlToJson(payload.toString('utf8'));
  if (type === 'application/x-www-form-urlencoded' && path[path.length - 1] === '_search') return undefined;
  if (isBinaryTarget) return { raw: payload, contentType: contentTypeHeader?.trim() || 'application/octet-stream' };
  throw new FhirError(415, issue('not-supported', `Content-Type '${contentTypeHeader ?? ''}' is not supported: expected application/fhir+json or application/fhir+xml${method === 'PATCH' ? ' or application/json-patch+json' : ''}`));
}

function parseJson(payload: Buffer): unknown {
  const text = payload.toString('utf8').replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new FhirError(400, issue('structure', `Request body is not valid JSON: ${(err as Error).message}`));
  }
}

export const CONTENT_TYPES: Record<Format, string> = {
  json: 'application/fhir+json; charset=utf-8',
  xml: 'application/fhir+xml; charset=utf-8',
};
