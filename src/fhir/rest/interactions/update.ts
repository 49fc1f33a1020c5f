import type { Resource } from 'fhir/r4';
import { FhirError, badRequest, issue, preconditionFailed } from '../../../shared/fhir-error';
import { VersionConflictError } from '../../../storage/resource-store';
import type { WriteMethod } from '../../../storage/resource-store';
import type { FhirResponse } from '../fhir-request';
import type { RequestContext } from '../request-context';
import { parseIfMatch, requireValidId } from '../request-rules';
import { validateForWrite } from '../validate-for-write';
import { writeResponse } from '../write-response';
import { normaliseCriteria } from './conditional-criteria';

/**
 * update: PUT [type]/[id] (http://hl7.org/fhir/R4/http.html#update). The body id must equal the
 * URL id. An unknown id creates the resource with that client-chosen id (update as create).
 * If-Match makes it version-aware: a stale version answers 412.
 */
export async function update(
  ctx: RequestContext,
  type: string,
  id: string,
  body: Resource,
  headers: { ifMatch?: string; prefer?: string },
  method: WriteMethod = 'PUT',
): Promise<FhirResponse> {
  requireValidId(id);
  if (body.id === undefined) throw new FhirError(400, issue('required', `Resource id is required in the body of an update: expected "id": "${id}"`, `${type}.id`));
  if (body.id !== id) throw new FhirError(400, issue('invalid', `Resource id in body '${body.id}' does not match the URL id '${id}'`, `${type}.id`));
  validateForWrite(ctx, body);
  const expectedVersion = headers.ifMatch ? parseIfMatch(headers.ifMatch) : undefined;
  const { store, baseUrl } = ctx.services;
  return store.transaction(ctx.trx, async (trx) => {
    // Serialises concurrent writers of one id, including two update-as-creates of a new id.
    await store.lock(trx, `id:${type}/${id}`);
    try {
      const result = await store.update(trx, body, { expectedVersion, method, now: ctx.now() });
      const status = result.created ? 201 : 200;
      const what = result.unchanged ? `${type}/${id} unchanged (version ${result.version.versionId})` : `${result.created ? 'Created' : 'Updated'} ${type}/${id}`;
      return writeResponse(status, result.version, baseUrl, headers.prefer, what);
    } catch (err) {
      if (err instanceof VersionConflictError) {
        throw preconditionFailed(`If-Match version ${err.expected} of ${type}/${id} is not current: the current version is ${err.actual ?? 'none (the resource does not exist)'}`);
      }
      throw err;
    }
  });
}

/**
 * Conditional update: PUT [type]?criteria. No match → create (with the body id if it has one),
 * one match → update it, several → 412. Runs under a lock on the criteria.
 */
export async function conditionalUpdate(
  ctx: RequestContext,
  type: string,
  rawCriteria: string,
  body: Resource,
  headers: { ifMatch?: string; prefer?: string },
): Promise<FhirResponse> {
  const criteria = normaliseCriteria(rawCriteria, 'conditional update');
  const { store, search, baseUrl } = ctx.services;
  return store.transaction(ctx.trx, async (trx) => {
    const inner: RequestContext = { ...ctx, trx };
    await store.lock(trx, `create:${type}?${criteria}`);
    const ids = await search.findIds(trx, type, criteria, 2);
    if (ids.length > 1) throw new FhirError(412, issue('multiple-matches', `Conditional update criteria '${criteria}' match more than one ${type}`));
    if (ids.length === 1) {
      if (body.id !== undefined && body.id !== ids[0]) {
        throw badRequest(`Resource id in body '${body.id}' does not match the resource found by the criteria (${type}/${ids[0]})`, `${type}.id`);
      }
      return update(inner, type, ids[0], { ...body, id: ids[0] }, headers);
    }
    if (body.id !== undefined) return update(inner, type, body.id, body, headers);
    validateForWrite(ctx, body);
    const version = await store.create(trx, body, { now: ctx.now() });
    return writeResponse(201, version, baseUrl, headers.prefer, `Created ${type}/${version.id}`);
  });
}
