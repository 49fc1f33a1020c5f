import type { Plugin, Request, ResponseToolkit } from '@hapi/hapi';
import type { Boom } from '@hapi/boom';
import { FhirError, issue } from '../../../shared/fhir-error';
import { CONTENT_TYPES, responseFormat } from './content-negotiation';
import { serialise } from './fhir-routes';

/** Maps database errors a client can provoke to FHIR errors; anything else is a 500. */
export function fromDatabaseError(err: { code?: string }): FhirError | undefined {
  const code = err.code ?? '';
  if (code === '23505') return new FhirError(409, issue('conflict', 'The write conflicts with a concurrent write of the same resource; retry'));
  if (code === '40001' || code === '40P01') return new FhirError(409, issue('transient', 'The request conflicted with a concurrent transaction; retry'));
  if (code.startsWith('22')) return new FhirError(400, issue('invalid', 'A value in the request is out of range or malformed for its type'));
  return undefined;
}

/** Turns a hapi/Boom error into the FhirError that describes it to a FHIR client. */
function fromBoom(boom: Boom, request: Request, bodyLimit: number): FhirError {
  const status = boom.output.statusCode;
  if (status === 404) return new FhirError(404, issue('not-found', `No FHIR endpoint at ${request.method.toUpperCase()} ${request.path}`));
  if (status === 413) return new FhirError(413, issue('too-costly', `Request body exceeds the limit of ${bodyLimit} bytes`));
  if (status === 415) return new FhirError(415, issue('not-supported', boom.message));
  if (status === 405) return new FhirError(405, issue('not-supported', boom.message));
  if (status < 500) return new FhirError(status, issue('invalid', boom.message));
  return new FhirError(500, issue('exception', 'Internal server error'));
}

/**
 * The one place errors become responses: every error (FhirError, hapi's own, database, bugs)
 * leaves as an OperationOutcome in the negotiated format; 5xx never carry internals.
 */
export const errorResponsesPlugin: Plugin<{ bodyLimitBytes: number }> = {
  name: 'tessera-error-responses',
  register(server, { bodyLimitBytes }) {
    server.ext('onPreResponse', (request: Request, h: ResponseToolkit) => {
      const response = request.response as unknown;
      if (!(response instanceof Error)) return h.continue;
      const err = response as Error & Partial<Boom> & { code?: string };
      let fhirError: FhirError;
      if (err instanceof FhirError) fhirError = err;
      else if (err.isBoom && (err as { data?: unknown }).data instanceof FhirError) fhirError = (err as unknown as { data: FhirError }).data;
      else if (fromDatabaseError(err)) fhirError = fromDatabaseError(err)!;
      else if (err.isBoom && err.output && err.output.statusCode < 500) fhirError = fromBoom(err as Boom, request, bodyLimitBytes);
      else {
        // Log the failure without request content (it may hold PHI).
        console.error(`[tessera] ${request.method.toUpperCase()} ${request.route.path} failed:`, err.stack ?? err.message);
        fhirError = new FhirError(500, issue('exception', 'Internal server error'));
      }
      let format: 'json' | 'xml' = 'json';
      try {
        format = responseFormat(request.url.searchParams.get('_format') ?? undefined, request.headers.accept as string | undefined) === 'xml' ? 'xml' : 'json';
      } catch {
        format = 'json';
      }
      const out = h.response(serialise(fhirError.toOperationOutcome(), format, request.url.searchParams.get('_pretty') === 'true'))
        .code(fhirError.status)
        .type(CONTENT_TYPES[format]);
      for (const [k, v] of Object.entries(fhirError.headers)) out.header(k, v);
      return out;
    });
  },
};
