import type { Resource } from 'fhir/r4';
import { FhirError, issue } from '../../../shared/fhir-error';
import type { FhirResponse } from '../fhir-request';
import type { RequestContext } from '../request-context';
import { validateForWrite } from '../validate-for-write';
import { writeResponse } from '../write-response';
import { normaliseCriteria } from './conditional-criteria';

/**
 * create: POST [type] (http://hl7.org/fhir/R4/http.html#create). Any id in the body is ignored.
 * With If-None-Exist it is a conditional create: the search and the insert run in one
 * transaction under an advisory lock on the normalised criteria, so concurrent identical
 * conditional creates yield exactly one resource. `assignedId` is set by transaction Bundles,
 * which allocate ids up front to rewrite urn:uuid references.
 */
export async function create(
  ctx: RequestContext,
  type: string,
  body: Resource,
  ifNoneExist: string | undefined,
  prefer: string | undefined,
  assignedId?: string,
): Promise<FhirResponse> {
  const { id: _ignored, ...rest } = body;
  const resource = { ...rest, resourceType: type } as Resource;
  validateForWrite(ctx, resource);
  const { store, search, baseUrl } = ctx.services;
  if (!ifNoneExist) {
    const version = await store.create(ctx.trx, resource, { id: assignedId, now: ctx.now() });
    return writeResponse(201, version, baseUrl, prefer, `Created ${type}/${version.id}`);
  }
  const criteria = normaliseCriteria(ifNoneExist, 'If-None-Exist');
  return store.transaction(ctx.trx, async (trx) => {
    await store.lock(trx, `create:${type}?${criteria}`);
    const ids = await search.findIds(trx, type, criteria, 2);
    if (ids.length > 1) {
      throw new FhirError(412, issue('duplicate', `If-None-Exist '${criteria}' matches more than one ${type}: expected at most one`));
    }
    if (ids.length === 1) {
      const existing = await store.read(trx, type, ids[0]);
      if (existing?.content) return writeResponse(200, existing, baseUrl, prefer, `${type}/${ids[0]} already matches '${criteria}'; nothing created`);
    }
    const version = await store.create(trx, resource, { id: assignedId, now: ctx.now() });
    return writeResponse(201, version, baseUrl, prefer, `Created ${type}/${version.id}`);
  });
}
