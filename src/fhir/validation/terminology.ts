import type { CodeSystem, CodeSystemConcept, ValueSet, ValueSetComposeInclude } from 'fhir/r4';
import { loadDefinitionsBundle } from '../model/definitions';

/** The codes of an expanded value set: "system|code" pairs, and bare codes for `code` elements. */
export interface ValueSetCodes {
  url: string;
  pairs: Set<string>;
  codes: Set<string>;
}

let codeSystems: Map<string, CodeSystem> | undefined;
let valueSets: Map<string, ValueSet> | undefined;
const expansions = new Map<string, ValueSetCodes | null>();

function load(): void {
  if (codeSystems && valueSets) return;
  codeSystems = new Map();
  valueSets = new Map();
  for (const file of ['valuesets.json', 'v3-codesystems.json']) {
    for (const r of loadDefinitionsBundle<CodeSystem | ValueSet>(file)) {
      if (!r.url) continue;
      if (r.resourceType === 'CodeSystem') codeSystems.set(r.url, r);
      else if (r.resourceType === 'ValueSet') valueSets.set(r.url, r);
    }
  }
}

/** Strips a `|version` suffix from a canonical URL. */
export function stripVersion(canonical: string): string {
  const bar = canonical.indexOf('|');
  return bar < 0 ? canonical : canonical.slice(0, bar);
}

function addConcepts(system: string, concepts: CodeSystemConcept[] | undefined, out: Array<[string, string]>): void {
  for (const c of concepts ?? []) {
    out.push([system, c.code]);
    addConcepts(system, c.concept, out);
  }
}

/** The (system, code) pairs one include/exclude selects, or undefined if it cannot be expanded offline. */
function expandInclude(inc: ValueSetComposeInclude, depth: number): Array<[string, string]> | undefined {
  if (inc.filter?.length) return undefined;
  const out: Array<[string, string]> = [];
  if (inc.valueSet?.length) {
    if (inc.system || inc.concept?.length) return undefined;
    for (const url of inc.valueSet) {
      const vs = expand(url, depth + 1);
      if (!vs) return undefined;
      for (const pair of vs.pairs) {
        const bar = pair.lastIndexOf('|');
        out.push([pair.slice(0, bar), pair.slice(bar + 1)]);
      }
    }
    return out;
  }
  if (!inc.system) return undefined;
  if (inc.concept?.length) {
    for (const c of inc.concept) out.push([inc.system, c.code]);
    return out;
  }
  const cs = codeSystems!.get(inc.system);
  if (!cs || cs.content !== 'complete' || !cs.concept?.length) return undefined;
  addConcepts(inc.system, cs.concept, out);
  return out;
}

function expand(url: string, depth = 0): ValueSetCodes | undefined {
  load();
  const key = stripVersion(url);
  const cached = expansions.get(key);
  if (cached !== undefined) return cached ?? undefined;
  let result: ValueSetCodes | null = null;
  const vs = valueSets!.get(key);
  if (vs && depth < 10) {
    const included: Array<[string, string]> = [];
    let ok = !!vs.compose?.include?.length;
    for (const inc of vs.compose?.include ?? []) {
      const part = expandInclude(inc, depth);
      if (!part) ok = false;
      else included.push(...part);
    }
    const excluded = new Set<string>();
    for (const exc of vs.compose?.exclude ?? []) {
      const part = expandInclude(exc, depth);
      if (!part) ok = false;
      else for (const [s, c] of part) excluded.add(`${s}|${c}`);
    }
    if (ok) {
      result = { url: key, pairs: new Set(), codes: new Set() };
      for (const [s, c] of included) {
        if (excluded.has(`${s}|${c}`)) continue;
        result.pairs.add(`${s}|${c}`);
        result.codes.add(c);
      }
    }
  }
  expansions.set(key, result);
  return result ?? undefined;
}

/**
 * Expands a ValueSet bundled with the R4 definitions (valuesets.json, v3-codesystems.json) when that
 * is possible offline: includes of whole complete CodeSystems, explicit concept lists and other
 * expandable value sets (http://hl7.org/fhir/R4/valueset.html#compose). Returns undefined for value
 * sets that use filters, external code systems (SNOMED CT, LOINC, ...) or are unknown.
 */
export function expandValueSet(url: string): ValueSetCodes | undefined {
  return expand(url);
}
