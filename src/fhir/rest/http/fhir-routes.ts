import type { Plugin, Request, ResponseToolkit, ResponseObject } from '@hapi/hapi';
import type { Binary, Resource } from 'fhir/r4';
import { FhirError, issue } from '../../../shared/fhir-error';
import { fhirJsonToXml } from '../../format/xml';
import { dispatch } from '../dispatch';
import type { FhirRequest, FhirResponse } from '../fhir-request';
import { resourceOf } from '../fhir-request';
import type { FhirServices, RequestContext } from '../request-context';
import { ANONYMOUS } from '../request-context';
import { etag } from '../request-rules';
import { binaryBytes } from '../interactions/read';
import { CONTENT_TYPES, parseBody, responseFormat } from './content-negotiation';
import type { Format } from './content-negotiation';

export interface FhirRoutesOptions {
  services: FhirServices;
  /** Path prefix of the FHIR endpoint, e.g. /fhir. */
  prefix: string;
}

/** Serialises a resource in the negotiated format. */
export function serialise(resource: Resource, format: Format, pretty: boolean): string {
  return format === 'xml' ? fhirJsonToXml(resource, { pretty }) : JSON.stringify(resource, null, pretty ? 2 : undefined);
}

function header(request: Request, name: string): string | undefined {
  const v = request.headers[name] as string | string[] | undefined;
  return Array.isArray(v) ? v[0] : v;
}

/** Characters a request path may hold for the fast path below (RFC 3986 pchar and '/'). */
const PLAIN_PATH = /^[A-Za-z0-9\-._~%!$&'()*+,;=:@/]*$/;
/** A "." or ".." segment, also percent-encoded ("%2e"), which WHATWG URL parsing would resolve. */
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?:\/|$)/i;

/**
 * The path and query of a request. hapi's `request.url` builds a WHATWG URL on first access (a
 * few microseconds on every request); for a plain path under the prefix the request line is
 * split directly, which gives the same segments and parameters. Anything unusual (dot segments,
 * backslashes, characters outside RFC 3986, a percent-encoded prefix) still goes through the URL parser.
 */
export function requestTarget(request: Request, prefix: string): { rest: string; searchParams: URLSearchParams } {
  const raw = request.raw.req.url ?? '';
  const hash = raw.indexOf('#');
  const target = hash < 0 ? raw : raw.slice(0, hash);
  const q = target.indexOf('?');
  const pathname = q < 0 ? target : target.slice(0, q);
  if (pathname.startsWith(prefix) && (pathname.length === prefix.length || pathname[prefix.length] === '/') && PLAIN_PATH.test(pathname) && !DOT_SEGMENT.test(pathname)) {
    return { rest: pathname.slice(prefix.length), searchParams: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)) };
  }
  const url = request.url;
  return { rest: url.pathname.slice(prefix.length), searchParams: url.searchParams };
}

/** Splits the path after the prefix into percent-decoded segments (empty segments dropped). */
export function pathSegments(rest: string): string[] {
  const path: string[] = [];
  for (const s of rest.split('/')) {
    if (!s) continue;
    try {
      path.push(decodeURIComponent(s));
    } catch {
      throw new FhirError(400, issue('invalid', `Malformed percent-encoding in URL segment '${s.slice(0, 40)}'`));
    }
  }
  return path;
}

function toFhirRequest(request: Request, rest: string, searchParams: URLSearchParams): FhirRequest {
  const path = pathSegments(rest);
  const method = request.method.toUpperCase() as FhirRequest['method'];
  const payload = request.payload as Buffer | undefined;
  let query = [...searchParams];
  const contentType = header(request, 'content-type');
  // POST [type]/_search carries the parameters as a form body (http://hl7.org/fhir/R4/search.html#Introduction).
  if (method === 'POST' && path[path.length - 1] === '_search' && payload?.length) {
    if (!contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      throw new FhirError(415, issue('not-supported', 'POST _search requires Content-Type application/x-www-form-urlencoded'));
    }
    query = [...query, ...new URLSearchParams(payload.toString('utf8'))];
  }
  return {
    method,
    path,
    query,
    body: parseBody(payload, contentType, method, path),
    headers: {
      ifMatch: header(request, 'if-match'),
      ifNoneMatch: header(request, 'if-none-match'),
      ifNoneExist: header(request, 'if-none-exist'),
      ifModifiedSince: header(request, 'if-modified-since'),
      prefer: header(request, 'prefer'),
    },
  };
}

/** The request clock (one function for all requests: no closure per request). */
const now = (): Date => new Date();

/** Writes a FhirResponse as an HTTP response (status, ETag, Last-Modified, Location, body). */
export function writeHttpResponse(h: ResponseToolkit, res: FhirResponse, format: Format, pretty: boolean, rawBinary: boolean): ResponseObject {
  let response: ResponseObject;
  const hasBody = res.resource !== undefined || res.resourceText !== undefined;
  if (res.resourceText !== undefined && format === 'json' && !pretty && !rawBinary) {
    response = h.response(res.resourceText).type(CONTENT_TYPES.json);
  } else if (rawBinary && resourceOf(res)?.resourceType === 'Binary') {
    const { raw, contentType } = binaryBytes(res.resource as Binary);
    response = h.response(raw).type(contentType);
  } else if (hasBody) {
    response = h.response(serialise(resourceOf(res)!, format, pretty)).type(CONTENT_TYPES[format]);
  } else {
    response = h.response().code(res.status === 200 ? 204 : res.status);
  }
  if (hasBody) response.code(res.status);
  if (res.versionId) response.header('ETag', etag(res.versionId));
  if (res.lastModified) response.header('Last-Modified', res.lastModified.toUTCString());
  if (res.location) response.header(res.status === 201 ? 'Location' : 'Content-Location', res.location);
  if (res.headers) for (const [k, v] of Object.entries(res.headers)) response.header(k, v);
  return response;
}

/** The FHIR REST endpoint as one hapi plugin: every method on `${prefix}/{path*}` goes through dispatch(). */
export const fhirRoutesPlugin: Plugin<FhirRoutesOptions> = {
  name: 'tessera-fhir-routes',
  register(server, { services, prefix }) {
    const handler = async (request: Request, h: ResponseToolkit) => {
      const { rest, searchParams } = requestTarget(request, prefix);
      const format = responseFormat(searchParams.get('_format') ?? undefined, header(request, 'accept'));
      const pretty = searchParams.get('_pretty') === 'true';
      const fhirRequest = toFhirRequest(request, rest, searchParams);
      const isBinaryRead = fhirRequest.path[0] === 'Binary' && fhirRequest.path.length >= 2 && request.method === 'get';
      if (format === undefined && !isBinaryRead) {
        throw new FhirError(406, issue('not-supported', `Accept '${header(request, 'accept')}' is not supported: expected application/fhir+json or application/fhir+xml`));
      }
      const ctx: RequestContext = { services, principal: ANONYMOUS, now };
      const res = await dispatch(ctx, fhirRequest);
      const chosen: Format = format === 'xml' ? 'xml' : 'json';
      return writeHttpResponse(h, res, chosen, pretty, isBinaryRead && format !== 'json' && format !== 'xml');
    };
    const payload = { parse: false, output: 'data' as const, maxBytes: services.bodyLimitBytes };
    for (const path of [prefix, `${prefix}/{path*}`]) {
      server.route({ method: ['GET', 'DELETE'], path, handler });
      server.route({ method: ['POST', 'PUT', 'PATCH'], path, handler, options: { payload } });
    }
  },
};
