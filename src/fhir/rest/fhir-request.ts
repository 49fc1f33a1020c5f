import type { Resource } from 'fhir/r4';

/** A parsed FHIR request, independent of HTTP: the same shape serves REST, batch and transaction entries. */
export interface FhirRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  /** Path segments after the base, e.g. ['Patient', '123', '_history', '2']. */
  path: string[];
  /** Query pairs in order (repeats kept). */
  query: Array<[string, string]>;
  /** Parsed body: a resource (JSON/XML), a JSON Patch array, or raw bytes for Binary. */
  body?: Resource | unknown[] | RawBody;
  headers: {
    ifMatch?: string;
    ifNoneMatch?: string;
    ifNoneExist?: string;
    ifModifiedSince?: string;
    prefer?: string;
  };
}

/** A body the server keeps as bytes (Binary content in its own media type). */
export interface RawBody {
  raw: Buffer;
  contentType: string;
}

export function isRawBody(body: unknown): body is RawBody {
  return typeof body === 'object' && body !== null && Buffer.isBuffer((body as RawBody).raw);
}

/** What an interaction answers; the transport turns it into status, headers and a body. */
export interface FhirResponse {
  status: number;
  resource?: Resource;
  /**
   * The same resource as stored JSON text, when the handler has it: sent as-is for a compact JSON
   * response. `resource` is then parsed lazily from it by `resourceOf()`.
   */
  resourceText?: string;
  /** Raw bytes to send as-is (Binary read in its native content type). */
  raw?: RawBody;
  /** ETag / Last-Modified / Location are derived from these when present. */
  versionId?: string;
  lastModified?: Date;
  location?: string;
  headers?: Record<string, string>;
}


/** The response's resource, parsing stored JSON text when that is all the handler kept. */
export function resourceOf(res: FhirResponse): Resource | undefined {
  if (!res.resource && res.resourceText) res.resource = JSON.parse(res.resourceText) as Resource;
  return res.resource;
}
