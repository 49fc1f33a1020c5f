import { badRequest, FhirError, issue } from '../../shared/fhir-error';
import { getResourceTypes, isResourceType } from '../model/definitions';
import type { Criterion, IncludeSpec, ParsedSearch, SortKey } from './criteria';
import { getParam, paramsOf, type ParamDef } from './param-registry';
import { checkModifier, parseValue } from './parse-value';
import { splitEscaped } from './values';

/** Default and maximum page sizes. */
export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 1000;

/** Result-control parameters (http://hl7.org/fhir/R4/search.html#Summary). */
const CONTROL = new Set(['_sort', '_count', '_total', '_summary', '_elements', '_include', '_revinclude', '_type', '_cursor', '_format', '_pretty']);
/** Parameters accepted and ignored without comment. */
const IGNORED_SILENTLY = new Set(['_format', '_pretty']);

/** A parameter this server does not know for the type: reported (lenient) or rejected (strict). */
export class UnknownParameter {
  constructor(readonly reason: string) {}
}

const idPattern = /^[A-Za-z0-9\-.]{1,64}$/;

/** Parses one criterion `name=value` for `resourceType` (chains, _has, modifiers); pure, no SQL. */
export function parseCriterion(resourceType: string, name: string, value: string, baseUrl: string, depth = 0): Criterion | UnknownParameter {
  if (depth > 6) throw badRequest(`Parameter '${name}': chains and _has nest at most 6 levels`, name);
  if (name.startsWith('_has:')) {
    const [, sourceType, refCode, ...rest] = name.split(':');
    if (!sourceType || !refCode || rest.length === 0) throw badRequest(`Parameter '${name}': expected _has:Type:reference:parameter`, name);
    if (!isResourceType(sourceType)) throw badRequest(`Parameter '${name}': '${sourceType}' is not a resource type`, name);
    const refParam = getParam(sourceType, refCode);
    if (!refParam || refParam.type !== 'reference') throw badRequest(`Parameter '${name}': '${refCode}' is not a reference parameter of ${sourceType}`, name);
    if (refParam.targets.length && !refParam.targets.includes(resourceType)) {
      throw badRequest(`Parameter '${name}': ${sourceType}.${refCode} cannot refer to ${resourceType}`, name);
    }
    const inner = parseCriterion(sourceType, rest.join(':'), value, baseUrl, depth + 1);
    if (inner instanceof UnknownParameter) throw badRequest(`Parameter '${name}': ${inner.reason}`, name);
    return { kind: 'has', sourceType, refParam, inner, localBase: baseUrl };
  }
  const dot = name.indexOf('.');
  if (dot > 0) {
    const head = name.slice(0, dot);
    const tail = name.slice(dot + 1);
    const [code, modifier] = head.split(':');
    const def = getParam(resourceType, code);
    if (!def) return new UnknownParameter(`Unknown search parameter '${code}' for ${resourceType}`);
    if (def.type !== 'reference') throw badRequest(`Parameter '${name}': cannot chain on '${code}', a ${def.type} parameter (chains need a reference parameter)`, name);
    if (modifier) checkModifier(def, modifier, name);
    const tailCode = tail.split(/[.:]/)[0];
    const candidates = modifier ? [modifier] : def.targets.length ? def.targets : getResourceTypes();
    const targets: Array<{ type: string; inner: Criterion }> = [];
    for (const t of candidates) {
      if (!tailCode.startsWith('_has') && !getParam(t, tailCode) && tailCode !== '_id') continue;
      const inner = parseCriterion(t, tail, value, baseUrl, depth + 1);
      if (!(inner instanceof UnknownParameter)) targets.push({ type: t, inner });
    }
    if (targets.length === 0) throw badRequest(`Parameter '${name}': no target type of '${code}' (${candidates.slice(0, 10).join(', ')}) has a search parameter '${tailCode}'`, name);
    return { kind: 'chain', def, targets, localBase: baseUrl };
  }
  const [code, modifier, ...extra] = name.split(':');
  if (extra.length) throw badRequest(`Parameter '${name}': more than one modifier`, name);
  if (code === '_id') {
    if (modifier && modifier !== 'not' && modifier !== 'missing') throw badRequest(`Unknown modifier ':${modifier}' for _id`, name);
    const ids = splitEscaped(value, ',').map((v) => v.trim());
    for (const id of ids) if (!idPattern.test(id)) throw badRequest(`Parameter '_id': '${id}' is not a valid id`, name);
    return { kind: 'id', ids, not: modifier === 'not' };
  }
  if (code === '_list') {
    const ids = splitEscaped(value, ',').map((v) => v.trim());
    for (const id of ids) if (!idPattern.test(id)) throw badRequest(`Parameter '_list': '${id}' is not a valid List id`, name);
    return { kind: 'list', listIds: ids };
  }
  const def = getParam(resourceType, code);
  if (!def) return new UnknownParameter(`Unknown search parameter '${code}' for ${resourceType}`);
  checkModifier(def, modifier, name);
  if (modifier === 'missing') {
    if (value !== 'true' && value !== 'false') throw badRequest(`Parameter '${name}': :missing expects true or false, got '${value}'`, name);
    return { kind: 'missing', def, missing: value === 'true' };
  }
  let effective: ParamDef = def;
  if (def.type === 'reference' && modifier === 'identifier') effective = { ...def, code: `${def.code}:identifier`, type: 'token' };
  const values = splitEscaped(value, ',').filter((v) => v !== '').map((v) => parseValue(def, modifier, v, name, baseUrl));
  if (values.length === 0) throw badRequest(`Parameter '${name}': empty value`, name);
  return { kind: 'value', def: effective, modifier: effective === def ? modifier : undefined, values };
}

function parseSort(value: string, types: string[]): SortKey[] {
  return value.split(',').filter(Boolean).map((raw) => {
    const desc = raw.startsWith('-');
    const code = desc ? raw.slice(1) : raw;
    if (code === '_id' || code === '_lastUpdated') return { code, desc };
    const def = getParam(types[0], code);
    if (!def || types.some((t) => !getParam(t, code))) throw badRequest(`_sort: unknown search parameter '${code}' for ${types.join(', ')}`, '_sort');
    if (def.type === 'composite' || def.type === 'special' || def.type === 'text') throw badRequest(`_sort: cannot sort on ${def.type} parameter '${code}'`, '_sort');
    return { code, def, desc };
  });
}

function parseInclude(name: string, value: string): IncludeSpec {
  const rev = name.startsWith('_revinclude');
  const modifier = name.split(':')[1];
  if (modifier && modifier !== 'iterate' && modifier !== 'recurse') throw badRequest(`Unknown modifier on ${name}`, name);
  const [sourceType, param, targetType] = value.split(':');
  if (!isResourceType(sourceType)) throw badRequest(`${name}: '${sourceType}' is not a resource type (expected Type:param[:target])`, name);
  if (param !== '*') {
    const def = getParam(sourceType, param ?? '');
    if (!def || def.type !== 'reference') throw badRequest(`${name}: '${param}' is not a reference parameter of ${sourceType}`, name);
    if (targetType && !isResourceType(targetType)) throw badRequest(`${name}: '${targetType}' is not a resource type`, name);
  }
  return { sourceType, param, targetType, iterate: !!modifier, rev };
}

/**
 * Parses query pairs into criteria per resource type plus result controls. Malformed values throw
 * 400; unknown parameters throw 400 when `strict`, else are listed in `ignored`.
 */
export function parseSearch(
  resourceTypes: string[],
  params: Array<[string, string]>,
  options: { baseUrl: string; strict: boolean; systemTypeParam?: boolean },
): ParsedSearch & { criteriaByType: Map<string, Criterion[]> } {
  const out: ParsedSearch & { criteriaByType: Map<string, Criterion[]> } = {
    resourceTypes,
    criteria: [],
    criteriaByType: new Map(resourceTypes.map((t) => [t, []])),
    sort: [],
    count: DEFAULT_COUNT,
    includes: [],
    applied: [],
    ignored: [],
  };
  const unknown = (name: string, reason: string) => {
    if (options.strict) throw new FhirError(400, issue('not-supported', reason, name));
    out.ignored.push({ name, reason });
  };
  for (const [name, value] of params) {
    const base = name.split(':')[0];
    if (CONTROL.has(base)) {
      if (IGNORED_SILENTLY.has(base)) continue;
      switch (base) {
        case '_sort':
          out.sort = parseSort(value, resourceTypes);
          break;
        case '_count': {
          const n = Number(value);
          if (!/^\d+$/.test(value)) throw badRequest(`_count: expected a non-negative integer, got '${value}'`, '_count');
          out.count = Math.min(n, MAX_COUNT);
          break;
        }
        case '_total':
          if (!['none', 'estimate', 'accurate'].includes(value)) throw badRequest(`_total: expected none, estimate or accurate, got '${value}'`, '_total');
          out.total = value as ParsedSearch['total'];
          break;
        case '_summary':
          if (!['true', 'false', 'text', 'data', 'count'].includes(value)) throw badRequest(`_summary: expected true, false, text, data or count, got '${value}'`, '_summary');
          out.summary = value as ParsedSearch['summary'];
          break;
        case '_elements':
          out.elements = value.split(',').map((e) => e.trim()).filter(Boolean);
          break;
        case '_include':
        case '_revinclude':
          out.includes.push(parseInclude(name, value));
          break;
        case '_type':
          if (!options.systemTypeParam) {
            unknown(name, `_type is only used in system search`);
            continue;
          }
          break; // handled by the caller
        case '_cursor':
          out.cursor = value;
          continue; // not part of self's applied list
      }
      out.applied.push([name, value]);
      continue;
    }
    let failed: string | undefined;
    const parsed: Array<[string, Criterion]> = [];
    for (const t of resourceTypes) {
      const c = parseCriterion(t, name, value, options.baseUrl);
      if (c instanceof UnknownParameter) {
        failed = c.reason;
        break;
      }
      parsed.push([t, c]);
    }
    if (failed || resourceTypes.length === 0) {
      unknown(name, failed ?? `Unknown search parameter '${name}'`);
      continue;
    }
    for (const [t, c] of parsed) out.criteriaByType.get(t)!.push(c);
    out.applied.push([name, value]);
  }
  out.criteria = out.criteriaByType.get(resourceTypes[0]) ?? [];
  return out;
}

/** Every search parameter code of a type (for error messages / CapabilityStatement). */
export function searchParamCodes(resourceType: string): string[] {
  return [...paramsOf(resourceType).keys()];
}
