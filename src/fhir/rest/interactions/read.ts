import type { Binary } from 'fhir/r4';
import { gone, notFound } from '../../../shared/fhir-error';
import type { FhirResponse } from '../fhir-request';
import type { RequestContext } from '../request-context';
import { parseVersionId } from '../request-rules';

/** read: GET [type]/[id] (http://hl7.org/fhir/R4/http.html#read). 410 for a deleted resource. */
export async function read(ctx: RequestContext, type: string, id: string): Promise<FhirResponse> {
  const current = await ctx.services.store.readText(ctx.trx, type, id);
  if (!current) throw notFound(`${type}/${id} is not known`);
  if (current.deleted) throw gone(`${type}/${id} was deleted (version ${current.versionId})`);
  return { status: 200, resourceText: current.text, versionId: String(current.versionId), lastModified: current.lastUpdated };
}

/** vread: GET [type]/[id]/_history/[vid]. */
export async function vread(ctx: RequestContext, type: string, id: string, vid: string): Promise<FhirResponse> {
  const versionId = parseVersionId(vid, 'URL');
  const version = await ctx.services.store.readVersion(ctx.trx, type, id, versionId);
  if (!version) {
    const current = await ctx.services.store.read(ctx.trx, type, id);
    throw notFound(current ? `${type}/${id} has no version ${versionId} (current is ${current.versionId})` : `${type}/${id} is not known`);
  }
  if (version.deleted) throw gone(`${type}/${id} version ${versionId} is a deletion`);
  return { status: 200, resource: version.content, versionId: String(version.versionId), lastModified: version.lastUpdated };
}

/** The raw bytes of a Binary, for a client that asked for its native content type. */
export function binaryBytes(binary: Binary): { raw: Buffer; contentType: string } {
  return { raw: Buffer.from(binary.data ?? '', 'base64'), contentType: binary.contentType || 'application/octet-stream' };
}
