import type { Bundle, BundleEntry } from 'fhir/r4';
import { badRequest, notFound } from '../../../shared/fhir-error';
import { listHistory } from '../../../storage/history-queries';
import { dateRange } from '../../search/values';
import type { FhirResponse } from '../fhir-request';
import type { RequestContext } from '../request-context';
import { etag } from '../request-rules';

const DEFAULT_COUNT = 50;
const MAX_COUNT = 1000;

/** `_since` / `_at` as an instant: the start of the period, or (for `_at`) its last millisecond. */
function parseInstant(name: string, raw: string, endOfPeriod: boolean): Date {
  const range = dateRange(raw);
  if (!range) throw badRequest(`Invalid ${name}: expected a FHIR instant or date such as 2024-01-31T10:00:00Z, got '${raw.slice(0, 40)}'`, name);
  if (raw.includes('T') && !/(Z|[+-]\d{2}:?\d{2})$/.test(raw)) throw badRequest(`Invalid ${name}: a time needs a time zone (Z or +hh:mm), got '${raw.slice(0, 40)}'`, name);
  return new Date(endOfPeriod ? range.high - 1 : range.low);
}

/**
 * history: GET [type]/[id]/_history, [type]/_history, /_history (http://hl7.org/fhir/R4/http.html#history)
 * with _since, _at, _count and keyset paging (`_page` = opaque cursor).
 */
export async function history(ctx: RequestContext, scope: { type?: string; id?: string }, query: Array<[string, string]>): Promise<FhirResponse> {
  let count = DEFAULT_COUNT;
  let since: Date | undefined;
  let at: Date | undefined;
  let before: string | undefined;
  for (const [k, v] of query) {
    if (k === '_count') {
      if (!/^\d+$/.test(v)) throw badRequest(`Invalid _count: expected a non-negative integer, got '${v.slice(0, 20)}'`, '_count');
      count = Math.min(Number(v), MAX_COUNT);
    } else if (k === '_since') since = parseInstant('_since', v, false);
    else if (k === '_at') at = parseInstant('_at', v, true);
    else if (k === '_page') {
      if (!/^\d{1,19}$/.test(v)) throw badRequest(`Invalid _page cursor '${v.slice(0, 20)}'`, '_page');
      before = v;
    } else if (k !== '_format' && k !== '_pretty') throw badRequest(`Unknown history parameter '${k}': expected _count, _since, _at or _page`, k);
  }
  if (scope.id) {
    const current = await ctx.services.store.read(ctx.trx, scope.type!, scope.id);
    if (!current) throw notFound(`${scope.type}/${scope.id} is not known`);
  }
  const rows = await listHistory(ctx.trx ?? ctx.services.knex, { resourceType: scope.type, id: scope.id, since, at, before, count: count + 1 });
  const page = rows.slice(0, count);
  const base = ctx.services.baseUrl;
  const selfPath = [scope.type, scope.id, '_history'].filter(Boolean).join('/');
  const keep = query.filter(([k]) => k !== '_page');
  const link = (extra: Array<[string, string]>) => `${base}/${selfPath}${keep.length + extra.length ? `?${new URLSearchParams([...keep, ...extra])}` : ''}`;
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'history',
    link: [{ relation: 'self', url: link(before ? [['_page', before]] : []) }],
    entry: page.map((h): BundleEntry => {
      const url = `${h.resourceType}/${h.id}`;
      return {
        fullUrl: `${base}/${url}`,
        ...(h.content ? { resource: h.content } : {}),
        request: { method: h.method === 'PATCH' ? 'PATCH' : h.method, url: h.method === 'POST' ? h.resourceType : url },
        response: { status: h.deleted ? '204' : h.versionId === 1 ? '201' : '200', etag: etag(h.versionId), lastModified: h.lastUpdated.toISOString() },
      };
    }),
  };
  if (rows.length > count && page.length > 0) bundle.link!.push({ relation: 'next', url: link([['_page', page[page.length - 1].seq]]) });
  return { status: 200, resource: bundle };
}
