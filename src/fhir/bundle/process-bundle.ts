import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, BundleEntryResponse, Resource } from 'fhir/r4';
import { FhirError, badRequest, issue } from '../../shared/fhir-error';
import type { FhirRequest, FhirResponse } from '../rest/fhir-request';
import { resourceOf } from '../rest/fhir-request';
import type { RequestContext } from '../rest/request-context';
import { etag } from '../rest/request-rules';
import { dispatch } from '../rest/dispatch';
import { create } from '../rest/interactions/create';
import { normaliseCriteria } from '../rest/interactions/conditional-criteria';
import { entryToRequest } from './entry-request';
import { rewriteReferences } from './rewrite-references';

/** Order in which a transaction processes its entries (http://hl7.org/fhir/R4/http.html#trules). */
const ORDER: Record<string, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };

/** POST / with a batch or transaction Bundle. */
export async function processBundle(ctx: RequestContext, bundle: Bundle): Promise<FhirResponse> {
  if (bundle.type !== 'batch' && bundle.type !== 'transaction') {
    throw new FhirError(400, issue('invalid', `Bundle.type must be 'batch' or 'transaction' to be processed, got '${String(bundle.type)}'`, 'Bundle.type'));
  }
  if (ctx.trx) throw badRequest('A batch or transaction cannot be nested inside another transaction', 'Bundle');
  const entries = bundle.entry ?? [];
  return bundle.type === 'batch' ? processBatch(ctx, entries) : processTransaction(ctx, entries);
}

function entryResponse(res: FhirResponse): BundleEntry {
  const response: BundleEntryResponse = { status: String(res.status) };
  if (res.location) response.location = res.location;
  if (res.versionId) response.etag = etag(res.versionId);
  if (res.lastModified) response.lastModified = res.lastModified.toISOString();
  const entry: BundleEntry = { response };
  const resource = resourceOf(res);
  if (resource?.resourceType === 'OperationOutcome' && res.status >= 400) response.outcome = resource;
  else if (resource) entry.resource = resource;
  return entry;
}

function errorEntry(err: unknown): BundleEntry {
  const fe = err instanceof FhirError ? err : new FhirError(500, issue('exception', 'Internal error processing this entry'));
  return { response: { status: String(fe.status), outcome: fe.toOperationOutcome() } };
}

async function processBatch(ctx: RequestContext, entries: BundleEntry[]): Promise<FhirResponse> {
  const out: BundleEntry[] = [];
  for (let i = 0; i < entries.length; i++) {
    try {
      const req = entryToRequest(entries[i], i, ctx.services.baseUrl);
      if (req.method === 'POST' && req.path.length === 0) throw badRequest(`Bundle.entry[${i}]: a batch cannot contain a nested batch or transaction`);
      out.push(entryResponse(await dispatch(ctx, req)));
    } catch (err) {
      if (!(err instanceof FhirError)) console.error('batch entry failed', (err as Error).message);
      out.push(errorEntry(err));
    }
  }
  const response: Bundle = { resourceType: 'Bundle', type: 'batch-response', entry: out };
  return { status: 200, resource: response };
}

interface Planned {
  index: number;
  req: FhirRequest;
  /** Id allocated up front for a create, so urn:uuid references can point at it. */
  assignedId?: string;
  /** Set when a conditional create found its match: nothing is created. */
  existing?: string;
}

async function processTransaction(ctx: RequestContext, entries: BundleEntry[]): Promise<FhirResponse> {
  const { store, search, baseUrl } = ctx.services;
  return store.transaction(undefined, async (trx) => {
    const tctx: RequestContext = { ...ctx, trx };
    const planned: Planned[] = entries.map((e, index) => ({ index, req: entryToRequest(e, index, baseUrl) }));
    const fullUrls = new Map<string, string>();
    const seen = new Set<string>();
    for (const p of planned) {
      const fullUrl = entries[p.index].fullUrl;
      if (p.req.method !== 'POST' && p.req.method !== 'GET' && p.req.method !== 'HEAD' && p.req.path.length >= 2) {
        if (seen.has(p.req.path.slice(0, 2).join('/'))) throw badRequest(`Bundle.entry[${p.index}]: ${p.req.path.slice(0, 2).join('/')} is modified by more than one entry of this transaction`);
        seen.add(p.req.path.slice(0, 2).join('/'));
      }
      if (p.req.method === 'POST' && p.req.path.length === 1) {
        const type = p.req.path[0];
        if (p.req.headers.ifNoneExist) {
          const criteria = normaliseCriteria(p.req.headers.ifNoneExist, `Bundle.entry[${p.index}].request.ifNoneExist`);
          await store.lock(trx, `create:${type}?${criteria}`);
          const ids = await search.findIds(trx, type, criteria, 2);
          if (ids.length > 1) throw new FhirError(412, issue('duplicate', `Bundle.entry[${p.index}]: ifNoneExist '${criteria}' matches more than one ${type}`));
          if (ids.length === 1) p.existing = ids[0];
        }
        if (!p.existing) p.assignedId = randomUUID();
        if (fullUrl) fullUrls.set(fullUrl, `${type}/${p.existing ?? p.assignedId}`);
      } else if (p.req.method === 'PUT' && p.req.path.length === 1 && p.req.query.length) {
        // Conditional update: resolve now, so references to its fullUrl can be rewritten.
        const type = p.req.path[0];
        const criteria = normaliseCriteria(new URLSearchParams(p.req.query).toString(), `Bundle.entry[${p.index}].request.url`);
        await store.lock(trx, `create:${type}?${criteria}`);
        const ids = await search.findIds(trx, type, criteria, 2);
        if (ids.length > 1) throw new FhirError(412, issue('multiple-matches', `Bundle.entry[${p.index}]: conditional update '${criteria}' matches more than one ${type}`));
        const body = p.req.body as Resource;
        const id = ids[0] ?? body.id ?? randomUUID();
        p.req = { ...p.req, path: [type, id], query: [], body: { ...body, id } };
        if (fullUrl) fullUrls.set(fullUrl, `${type}/${id}`);
      } else if (p.req.method === 'PUT' && p.req.path.length === 2 && fullUrl) {
        fullUrls.set(fullUrl, p.req.path.join('/'));
      }
    }
    // Lock every resource the Bundle modifies by id up front, in one sorted order (the keys the interactions lock again,
    // re-entrantly): two Bundles touching the same resources in different orders then queue instead of deadlocking.
    for (const key of [...seen].sort()) await store.lock(trx, `id:${key}`);
    const resolveConditional = async (ref: string) => {
      const [type, criteria] = ref.split(/\?(.*)/s);
      const ids = await search.findIds(trx, type, normaliseCriteria(criteria, `conditional reference '${ref}'`), 2);
      if (ids.length !== 1) throw new FhirError(ids.length ? 412 : 404, issue(ids.length ? 'multiple-matches' : 'not-found', `Conditional reference '${ref}' matched ${ids.length} resources: expected exactly one`));
      return `${type}/${ids[0]}`;
    };
    for (const p of planned) {
      if (p.req.body && !Array.isArray(p.req.body) && typeof p.req.body === 'object') {
        p.req.body = (await rewriteReferences(p.req.body, fullUrls, resolveConditional, `Bundle.entry[${p.index}].resource`)) as Resource;
      }
      if (p.req.query.length) {
        p.req.query = p.req.query.map(([k, v]) => [k, fullUrls.get(v) ?? v]);
      }
    }
    const results = new Array<BundleEntry>(entries.length);
    const ordered = [...planned].sort((a, b) => (ORDER[a.req.method] ?? 9) - (ORDER[b.req.method] ?? 9) || a.index - b.index);
    for (const p of ordered) {
      try {
        let res: FhirResponse;
        // Reads and operations see derived state (golden records, immunization status) as of the writes before them.
        if (p.req.method === 'GET' || p.req.method === 'HEAD' || p.req.path.some((s) => s.startsWith('$'))) await store.settle(trx);
        if (p.existing) {
          const found = await store.read(trx, p.req.path[0], p.existing);
          res = { status: 200, resource: found?.content, versionId: String(found?.versionId), lastModified: found?.lastUpdated, location: `${baseUrl}/${p.req.path[0]}/${p.existing}/_history/${found?.versionId}` };
        } else if (p.assignedId) {
          res = await create(tctx, p.req.path[0], p.req.body as Resource, undefined, undefined, p.assignedId);
        } else {
          if (p.req.method === 'POST' && p.req.path.length === 0) throw badRequest(`Bundle.entry[${p.index}]: a transaction cannot contain a nested batch or transaction`);
          res = await dispatch(tctx, p.req);
        }
        results[p.index] = entryResponse(res);
      } catch (err) {
        if (err instanceof FhirError) {
          const where = `Bundle.entry[${p.index}] (${p.req.method} ${p.req.path.join('/')})`;
          throw new FhirError(err.status, err.issues.map((i) => ({ ...i, diagnostics: `${where}: ${i.diagnostics ?? i.code}` })), err.headers);
        }
        throw err;
      }
    }
    const response: Bundle = { resourceType: 'Bundle', type: 'transaction-response', entry: results };
    return { status: 200, resource: response };
  });
}
