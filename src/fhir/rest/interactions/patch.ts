import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { Parameters, Resource } from 'fhir/r4';
import { FhirError, badRequest, gone, issue, notFound, preconditionFailed } from '../../../shared/fhir-error';
import type { FhirResponse } from '../fhir-request';
import type { RequestContext } from '../request-context';
import { parseIfMatch, requireValidId } from '../request-rules';
import { applyFhirPathPatch } from './apply-fhirpath-patch';
import { update } from './update';

/**
 * patch: PATCH [type]/[id] with a JSON Patch (application/json-patch+json) or a FHIRPath Patch
 * (a Parameters resource) (http://hl7.org/fhir/R4/http.html#patch). The patched resource is
 * validated and stored as a new version, honouring If-Match.
 */
export async function patch(ctx: RequestContext, type: string, id: string, body: unknown, headers: { ifMatch?: string; prefer?: string }): Promise<FhirResponse> {
  requireValidId(id);
  const { store } = ctx.services;
  return store.transaction(ctx.trx, async (trx) => {
    await store.lock(trx, `id:${type}/${id}`);
    const current = await store.read(trx, type, id, true);
    if (!current) throw notFound(`${type}/${id} is not known`);
    if (current.deleted || !current.content) throw gone(`${type}/${id} was deleted`);
    if (headers.ifMatch && parseIfMatch(headers.ifMatch) !== current.versionId) {
      throw preconditionFailed(`If-Match version ${parseIfMatch(headers.ifMatch)} of ${type}/${id} is not current: the current version is ${current.versionId}`);
    }
    const patched = applyPatchBody(current.content, body);
    if (patched.resourceType !== type || patched.id !== id) {
      throw new FhirError(422, issue('processing', 'A patch may not change resourceType or id', `${type}.id`));
    }
    return update({ ...ctx, trx }, type, id, patched, { prefer: headers.prefer }, 'PATCH');
  });
}

function applyPatchBody(resource: Resource, body: unknown): Resource {
  if (Array.isArray(body)) return applyJsonPatch(resource, body);
  if (body && typeof body === 'object' && (body as Resource).resourceType === 'Parameters') return applyFhirPathPatch(resource, body as Parameters);
  throw badRequest('PATCH body must be a JSON Patch array (Content-Type application/json-patch+json) or a FHIRPath Patch Parameters resource');
}

function applyJsonPatch(resource: Resource, ops: unknown[]): Resource {
  const error = jsonpatch.validate(ops as Operation[], resource);
  if (error) {
    const where = `JSON Patch operation ${error.index ?? 0}`;
    throw new FhirError(error.name === 'TEST_OPERATION_FAILED' ? 422 : 400, issue('invalid', `${where} (${String((error.operation as Operation | undefined)?.op)} ${String((error.operation as Operation | undefined)?.path)}) failed: ${error.message.split('\n')[0]}`));
  }
  try {
    return jsonpatch.applyPatch(structuredClone(resource), ops as Operation[], true, false).newDocument as Resource;
  } catch (err) {
    const e = err as Error & { name: string };
    throw new FhirError(e.name === 'TEST_OPERATION_FAILED' ? 422 : 400, issue('invalid', `JSON Patch failed: ${e.message.split('\n')[0]}`));
  }
}
