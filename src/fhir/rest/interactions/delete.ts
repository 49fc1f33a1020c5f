import { FhirError, informational, issue } from '../../../shared/fhir-error';
import type { FhirResponse } from '../fhir-request';
import type { RequestContext } from '../request-context';
import { requireValidId } from '../request-rules';
import { normaliseCriteria } from './conditional-criteria';

/**
 * delete: DELETE [type]/[id] (http://hl7.org/fhir/R4/http.html#delete). History is kept; later
 * reads answer 410. Deleting a missing or already deleted resource is not an error (200).
 */
export async function deleteResource(ctx: RequestContext, type: string, id: string): Promise<FhirResponse> {
  requireValidId(id);
  const { store } = ctx.services;
  return store.transaction(ctx.trx, async (trx) => {
    await store.lock(trx, `id:${type}/${id}`);
    const version = await store.delete(trx, type, id, ctx.now());
    if (!version) return { status: 200, resource: informational(`${type}/${id} does not exist or is already deleted; nothing to do`) };
    return { status: 200, resource: informational(`Deleted ${type}/${id} (version ${version.versionId})`), versionId: String(version.versionId) };
  });
}

/** Conditional delete: DELETE [type]?criteria; deletes the single match, 412 if several match. */
export async function conditionalDelete(ctx: RequestContext, type: string, rawCriteria: string): Promise<FhirResponse> {
  const criteria = normaliseCriteria(rawCriteria, 'conditional delete');
  const { store, search } = ctx.services;
  return store.transaction(ctx.trx, async (trx) => {
    await store.lock(trx, `create:${type}?${criteria}`);
    const ids = await search.findIds(trx, type, criteria, 2);
    if (ids.length > 1) throw new FhirError(412, issue('multiple-matches', `Conditional delete criteria '${criteria}' match more than one ${type}; this server deletes a single match only`));
    if (ids.length === 0) return { status: 200, resource: informational(`No ${type} matches '${criteria}'; nothing deleted`) };
    return deleteResource({ ...ctx, trx }, type, ids[0]);
  });
}
