import type { CodeSystem, CodeSystemConcept, ValueSet } from 'fhir/r4';
import { loadDefinitionsBundle } from '../model/definitions';

let valueSets: Map<string, ValueSet> | undefined;
let codeSystems: Map<string, CodeSystem> | undefined;
const cache = new Map<string, Array<{ system?: string; code: string }> | undefined>();

function load(): void {
  if (valueSets) return;
  valueSets = new Map();
  codeSystems = new Map();
  for (const file of ['valuesets.json', 'v3-codesystems.json', 'v2-tables.json']) {
    for (const r of loadDefinitionsBundle<ValueSet | CodeSystem>(file)) {
      if (r.resourceType === 'ValueSet' && r.url) valueSets.set(r.url, r);
      if (r.resourceType === 'CodeSystem' && r.url) codeSystems.set(r.url, r);
    }
  }
}

function allConcepts(concepts: CodeSystemConcept[] | undefined, out: string[]): void {
  for (const c of concepts ?? []) {
    out.push(c.code);
    allConcepts(c.concept, out);
  }
}

/**
 * Expands a bundled R4 ValueSet (by canonical URL, optional `|version` ignored) to its codes, for
 * `:in` / `:not-in` (http://hl7.org/fhir/R4/search.html#modifiers). Handles `compose.include` of
 * listed concepts, whole bundled code systems and nested value sets; filters are not evaluated
 * (such value sets return undefined = unknown).
 */
export function expandValueSet(url: string, depth = 0): Array<{ system?: string; code: string }> | undefined {
  const key = url.split('|')[0];
  if (cache.has(key)) return cache.get(key);
  load();
  const vs = valueSets!.get(key);
  let out: Array<{ system?: string; code: string }> | undefined;
  if (vs && depth < 5) {
    out = [];
    for (const inc of vs.compose?.include ?? []) {
      if (inc.filter?.length) { out = undefined; break; }
      if (inc.concept?.length) for (const c of inc.concept) out.push({ system: inc.system, code: c.code });
      else if (inc.system) {
        const cs = codeSystems!.get(inc.system);
        if (!cs?.concept) { out = undefined; break; }
        const codes: string[] = [];
        allConcepts(cs.concept, codes);
        for (const code of codes) out.push({ system: inc.system, code });
      }
      for (const nested of inc.valueSet ?? []) {
        const n = expandValueSet(nested, depth + 1);
        if (!n) { out = undefined; break; }
        out.push(...n);
      }
      if (!out) break;
    }
    if (out && vs.compose?.exclude?.length) {
      const ex = new Set(vs.compose.exclude.flatMap((e) => (e.concept ?? []).map((c) => `${e.system}|${c.code}`)));
      out = out.filter((c) => !ex.has(`${c.system}|${c.code}`));
    }
    if (out && out.length === 0 && !vs.compose) out = undefined;
  }
  cache.set(key, out);
  return out;
}

/**
 * Codes subsumed by (`below`) or subsuming (`above`) `code`, including itself, from the concept
 * hierarchy of a bundled CodeSystem (token `:below` / `:above`,
 * http://hl7.org/fhir/R4/search.html#token). Undefined when the system is not bundled or the code unknown.
 */
export function subsumption(system: string, code: string, direction: 'above' | 'below'): Array<{ system: string; code: string }> | undefined {
  load();
  const cs = codeSystems!.get(system);
  if (!cs?.concept) return undefined;
  const path: CodeSystemConcept[] = [];
  const find = (list: CodeSystemConcept[] | undefined): CodeSystemConcept | undefined => {
    for (const c of list ?? []) {
      path.push(c);
      if (c.code === code) return c;
      const hit = find(c.concept);
      if (hit) return hit;
      path.pop();
    }
    return undefined;
  };
  const node = find(cs.concept);
  if (!node) return undefined;
  if (direction === 'above') return path.map((c) => ({ system, code: c.code }));
  const codes: string[] = [];
  allConcepts([node], codes);
  return codes.map((c) => ({ system, code: c }));
}
