import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StructureDefinition } from 'fhir/r4';
import { getStructureDefinition, isResourceType } from '../model/definitions';
import { applyDifferential } from './apply-differential';
import { buildTree, type ElementTree, type WorkingElement } from './element-tree';
import { stripVersion } from './terminology';

const CORE_SD = 'http://hl7.org/fhir/StructureDefinition/';

/** Profiles loaded from a directory, by canonical URL. */
export interface ProfileRegistry {
  get(url: string): ElementTree | undefined;
  urls(): string[];
  /** The resource type a loaded profile constrains. */
  typeOf(url: string): string | undefined;
}

/** Reads every StructureDefinition JSON file of a directory (non-recursive). */
function readProfiles(dir: string): StructureDefinition[] {
  const out: StructureDefinition[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.json')) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch (e) {
      throw new Error(`Profile file ${file} is not valid JSON: ${(e as Error).message}`);
    }
    const sd = parsed as StructureDefinition;
    if (sd?.resourceType !== 'StructureDefinition') continue;
    if (!sd.url || !sd.type) throw new Error(`Profile file ${file}: a StructureDefinition needs url and type`);
    out.push(sd);
  }
  return out;
}

/**
 * Loads and prepares the constraint profiles of a directory (http://hl7.org/fhir/R4/profiling.html).
 * Profiles may derive from core types or from each other. Throws on a profile that cannot be applied
 * (a configuration error, reported at startup).
 */
export function loadProfiles(dir: string): ProfileRegistry {
  const sds = new Map(readProfiles(dir).map((sd) => [stripVersion(sd.url!), sd]));
  const elements = new Map<string, WorkingElement[]>();
  const trees = new Map<string, ElementTree>();

  const elementsOf = (url: string, seen: Set<string>): WorkingElement[] => {
    const done = elements.get(url);
    if (done) return done;
    const sd = sds.get(url)!;
    if (seen.has(url)) throw new Error(`Profile ${url} derives from itself`);
    seen.add(url);
    const baseUrl = stripVersion(sd.baseDefinition ?? `${CORE_SD}${sd.type}`);
    let base: WorkingElement[];
    if (sds.has(baseUrl)) base = elementsOf(baseUrl, seen);
    else if (baseUrl.startsWith(CORE_SD) && getStructureDefinition(baseUrl.slice(CORE_SD.length))?.snapshot) {
      base = getStructureDefinition(baseUrl.slice(CORE_SD.length))!.snapshot!.element.map((def) => ({ def, constrained: false, constraints: [] }));
    } else throw new Error(`Profile ${url}: unknown baseDefinition ${baseUrl}`);
    const result = applyDifferential(sd, base);
    elements.set(url, result);
    return result;
  };

  for (const [url, sd] of sds) {
    if (!isResourceType(sd.type!)) throw new Error(`Profile ${url}: type ${sd.type} is not an R4 resource type`);
    trees.set(url, buildTree(url, sd.type!, sd.name ?? url, true, elementsOf(url, new Set())));
  }
  return {
    get: (url) => trees.get(stripVersion(url)),
    urls: () => [...trees.keys()].sort(),
    typeOf: (url) => trees.get(stripVersion(url))?.type,
  };
}
