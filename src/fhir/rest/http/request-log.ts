import type { Plugin, Request } from '@hapi/hapi';

/**
 * Replaces ids and query values in a request path so the log line carries no PHI and no record
 * identifiers: `/fhir/Patient/123/_history/2?family=x` → `/fhir/Patient/:id/_history/:vid`.
 */
export function redactPath(path: string): string {
  const parts = path.split('/');
  return parts
    .map((seg, i) => {
      const prev = parts[i - 1] ?? '';
      if (prev === '_history' && seg) return ':vid';
      const afterCollection = /^[A-Z][A-Za-z]+$/.test(prev) || /^(patients|clinics|vaccines|reports|persons)$/.test(prev);
      if (afterCollection && seg && !seg.startsWith('$') && !seg.startsWith('_') && !/^[A-Z][A-Za-z]+$/.test(seg) && seg !== '*') return ':id';
      return seg;
    })
    .join('/');
}

/** One line per request (method, redacted path, status, duration), never bodies or query strings. */
export const requestLogPlugin: Plugin<{ log: (line: string) => void }> = {
  name: 'tessera-request-log',
  register(server, { log }) {
    server.events.on('response', (request: Request) => {
      const status = (request.response as { statusCode?: number } | null)?.statusCode ?? 0;
      const ms = Date.now() - request.info.received;
      log(`${request.method.toUpperCase()} ${redactPath(request.path)} ${status} ${ms}ms`);
    });
  },
};
