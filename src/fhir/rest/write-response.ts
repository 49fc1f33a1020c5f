import type { Resource } from 'fhir/r4';
import { informational } from '../../shared/fhir-error';
import type { StoredVersion } from '../../storage/resource-store';
import type { FhirResponse } from './fhir-request';
import { parsePrefer } from './request-rules';

/** Builds the response to a create/update/patch per `Prefer: return=` with Location, ETag and Last-Modified. */
export function writeResponse(status: number, version: StoredVersion, baseUrl: string, prefer: string | undefined, message: string): FhirResponse {
  const pref = parsePrefer(prefer).return;
  const location = `${baseUrl}/${version.resourceType}/${version.id}/_history/${version.versionId}`;
  let resource: Resource | undefined;
  if (pref === 'representation') resource = version.content;
  else if (pref === 'OperationOutcome') resource = informational(message);
  return { status, resource, versionId: String(version.versionId), lastModified: version.lastUpdated, location };
}
