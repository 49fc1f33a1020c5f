import type { SearchParameter } from 'fhir/r4';
import { getResourceTypes, getSearchParameterDefinitions } from '../model/definitions';
import type { ParamType } from './index-tables';
import { compilePath, type PathEvaluator } from './path-evaluator';

/** One search parameter as it applies to one resource type. */
export interface ParamDef {
  code: string;
  type: ParamType;
  url: string;
  /** Extractors for this type's parts of the expression (empty for _text/_content). */
  paths: PathEvaluator[];
  /** Reference target types (reference parameters). */
  targets: string[];
  /** Composite components: the component's parameter and its path relative to each composite node. */
  components?: Array<{ def: ParamDef; path: PathEvaluator }>;
  /** The raw SearchParameter. */
  source?: SearchParameter;
}

let registry: Map<string, Map<string, ParamDef>> | undefined;
let byUrl: Map<string, SearchParameter> | undefined;

/** Splits an R4 expression on top-level `|`. */
function splitUnion(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = false;
  let cur = '';
  for (const c of expression) {
    if (c === "'") quote = !quote;
    if (!quote && c === '(') depth++;
    if (!quote && c === ')') depth--;
    if (!quote && depth === 0 && c === '|') {
      parts.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) parts.push(cur.trim());
  return parts;
}

/** The part's leading type name (`Patient` in `Patient.name`, `(Observation.value as Quantity)`). */
function partType(part: string): string | undefined {
  return /^\(?\s*([A-Z][A-Za-z]+)\b/.exec(part)?.[1];
}

function buildDef(sp: SearchParameter, resourceType: string): ParamDef | undefined {
  const type = (sp.code === '_text' || sp.code === '_content' ? 'text' : sp.type) as ParamType;
  const paths: PathEvaluator[] = [];
  if (sp.expression) {
    for (const part of splitUnion(sp.expression)) {
      const t = partType(part);
      if (t === resourceType || t === 'Resource' || t === 'DomainResource') paths.push(compilePath(part, resourceType));
    }
    if (paths.length === 0) return undefined;
  } else if (type !== 'text') return undefined; // _query
  return { code: sp.code, type, url: sp.url, paths, targets: sp.target ?? [], source: sp };
}

/** Every official R4 SearchParameter by canonical URL. */
export function searchParameterByUrl(url: string): SearchParameter | undefined {
  if (!byUrl) byUrl = new Map(getSearchParameterDefinitions().map((sp) => [sp.url, sp]));
  return byUrl.get(url);
}

function load(): Map<string, Map<string, ParamDef>> {
  if (registry) return registry;
  const types = new Set(getResourceTypes());
  const out = new Map<string, Map<string, ParamDef>>();
  for (const t of types) out.set(t, new Map());
  for (const sp of getSearchParameterDefinitions()) {
    const bases = (sp.base ?? []).flatMap((b) => (b === 'Resource' || b === 'DomainResource' ? [...types] : [b]));
    for (const base of bases) {
      if (!types.has(base)) continue;
      const def = buildDef(sp, base);
      if (def) out.get(base)!.set(sp.code, def);
    }
  }
  registry = out;
  return out;
}

/** The parameters of one resource type by code (lazily built, then cached). */
export function paramsOf(resourceType: string): Map<string, ParamDef> {
  return load().get(resourceType) ?? new Map();
}

/** One parameter of one resource type, or undefined if the type does not define it. */
export function getParam(resourceType: string, code: string): ParamDef | undefined {
  const def = paramsOf(resourceType).get(code);
  if (def && def.type === 'composite' && !def.components) attachComponents(def, resourceType);
  return def;
}

function attachComponents(def: ParamDef, resourceType: string): void {
  def.components = (def.source?.component ?? []).flatMap((c) => {
    const sp = searchParameterByUrl(c.definition);
    if (!sp) return [];
    const cdef: ParamDef = { code: sp.code, type: sp.type as ParamType, url: sp.url, paths: [], targets: sp.target ?? [], source: sp };
    return [{ def: cdef, path: compilePath(c.expression, resourceType, true) }];
  });
}
