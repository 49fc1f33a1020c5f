import type { CapabilityStatement, CapabilityStatementRestResource } from 'fhir/r4';
import { getResourceTypes, getSearchParameterDefinitions } from '../../model/definitions';
import type { FhirResponse } from '../fhir-request';
import type { RequestContext } from '../request-context';

const TYPE_INTERACTIONS = ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create', 'search-type'] as const;

let cachedResources: CapabilityStatementRestResource[] | undefined;

/** Per-type entries, built from the same definitions the server routes and indexes by. */
function resourceEntries(): CapabilityStatementRestResource[] {
  if (cachedResources) return cachedResources;
  const byType = new Map<string, CapabilityStatementRestResource['searchParam']>();
  for (const sp of getSearchParameterDefinitions()) {
    for (const base of sp.base ?? []) {
      const list = byType.get(base) ?? [];
      list.push({ name: sp.code!, definition: sp.url, type: sp.type as never });
      byType.set(base, list);
    }
  }
  const common = byType.get('Resource') ?? [];
  cachedResources = getResourceTypes().map((type): CapabilityStatementRestResource => ({
    type: type as CapabilityStatementRestResource['type'],
    profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
    interaction: TYPE_INTERACTIONS.map((code) => ({ code })),
    versioning: 'versioned-update',
    readHistory: true,
    updateCreate: true,
    conditionalCreate: true,
    conditionalRead: 'not-supported',
    conditionalUpdate: true,
    conditionalDelete: 'single',
    referencePolicy: ['literal', 'local'],
    searchParam: [...common, ...(byType.get(type) ?? []), ...(byType.get('DomainResource') ?? [])],
  }));
  return cachedResources;
}

/**
 * capabilities: GET /metadata. Generated from what the server actually routes: every R4 type,
 * its search parameters, the registered operations and the supported formats.
 */
export async function capabilities(ctx: RequestContext): Promise<FhirResponse> {
  const { operations, baseUrl } = ctx.services;
  const profiles = ctx.services.validator.profileUrls();
  const statement: CapabilityStatement = {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    publisher: 'Tessera',
    software: { name: 'Tessera', version: '0.1.0' },
    implementation: { description: 'Tessera FHIR R4 server', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'application/fhir+xml', 'json', 'xml'],
    patchFormat: ['application/json-patch+json', 'application/fhir+json', 'application/fhir+xml'],
    rest: [
      {
        mode: 'server',
        documentation: `Request bodies are limited to ${ctx.services.bodyLimitBytes} bytes. Profiles enforced when named in meta.profile: ${profiles.join(', ') || 'none'}.`,
        security: { cors: true, description: 'No authentication yet: every request is anonymous (SMART on FHIR is on the roadmap).' },
        resource: resourceEntries().map((r) => ({
          ...r,
          supportedProfile: profiles.filter((url) => url.toLowerCase().includes(`-${r.type.toLowerCase()}`)),
          operation: operations
            .filter((op) => op.levels.some((l) => l !== 'system') && (!op.resourceTypes || op.resourceTypes.includes(r.type)))
            .map((op) => ({ name: op.name, definition: op.definition.url })),
        })),
        interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'search-system' }, { code: 'history-system' }],
        operation: operations.filter((op) => op.levels.includes('system')).map((op) => ({ name: op.name, definition: op.definition.url })),
      },
    ],
  };
  return { status: 200, resource: statement };
}
