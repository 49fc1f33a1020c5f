import type { Binary, BundleEntry, Resource } from 'fhir/r4';
import { badRequest } from '../../shared/fhir-error';
import type { FhirRequest } from '../rest/fhir-request';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** Turns a batch/transaction entry into the same FhirRequest the HTTP adapter builds. */
export function entryToRequest(entry: BundleEntry, index: number, baseUrl: string): FhirRequest {
  const where = `Bundle.entry[${index}].request`;
  const method = entry.request?.method;
  const rawUrl = entry.request?.url;
  if (!method || !METHODS.has(method)) throw badRequest(`${where}.method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, got '${String(method)}'`, `${where}.method`);
  if (!rawUrl) throw badRequest(`${where}.url is required`, `${where}.url`);
  let url = rawUrl.startsWith(baseUrl) ? rawUrl.slice(baseUrl.length) : rawUrl;
  if (/^[a-z]+:/i.test(url)) throw badRequest(`${where}.url must be relative to this server, got '${rawUrl}'`, `${where}.url`);
  url = url.replace(/^\/+/, '');
  const [pathPart, queryPart = ''] = url.split(/\?(.*)/s);
  let body: FhirRequest['body'] = entry.resource;
  if (method === 'PATCH' && entry.resource?.resourceType === 'Binary') {
    const binary = entry.resource as Binary;
    try {
      body = JSON.parse(Buffer.from(binary.data ?? '', 'base64').toString('utf8')) as unknown[];
    } catch {
      throw badRequest(`${where}: PATCH Binary must hold a base64 JSON Patch document`, `Bundle.entry[${index}].resource`);
    }
  }
  if ((method === 'POST' || method === 'PUT') && !entry.resource) {
    throw badRequest(`Bundle.entry[${index}].resource is required for ${method}`, `Bundle.entry[${index}].resource`);
  }
  return {
    method: method as FhirRequest['method'],
    path: pathPart.split('/').filter(Boolean).map(decodeURIComponent),
    query: [...new URLSearchParams(queryPart)],
    body: body as Resource | unknown[] | undefined,
    headers: {
      ifMatch: entry.request?.ifMatch,
      ifNoneMatch: entry.request?.ifNoneMatch,
      ifNoneExist: entry.request?.ifNoneExist,
      ifModifiedSince: entry.request?.ifModifiedSince,
    },
  };
}
