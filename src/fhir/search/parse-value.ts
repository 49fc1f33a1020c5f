import { badRequest } from '../../shared/fhir-error';
import type { ParamDef } from './param-registry';
import type { SearchValue, TokenValue } from './criteria';
import { dateRange, numberRange, splitEscaped, splitPrefix, unescapeValue } from './values';
import { getResourceTypes } from '../model/definitions';
import { expandValueSet, subsumption } from './value-sets';

/** Modifiers each parameter type accepts (http://hl7.org/fhir/R4/search.html#modifiers). */
const MODIFIERS: Record<string, string[]> = {
  string: ['missing', 'exact', 'contains'],
  token: ['missing', 'text', 'not', 'in', 'not-in', 'of-type', 'above', 'below'],
  reference: ['missing', 'identifier'],
  uri: ['missing', 'above', 'below'],
  date: ['missing'],
  number: ['missing'],
  quantity: ['missing'],
  composite: ['missing'],
  special: ['missing'],
  text: [],
};

/** Throws a 400 unless `modifier` is valid for the parameter (reference also takes `:[type]`). */
export function checkModifier(def: ParamDef, modifier: string | undefined, name: string): void {
  if (modifier === undefined) return;
  if (MODIFIERS[def.type]?.includes(modifier)) {
    return;
  }
  if (def.type === 'reference' && getResourceTypes().includes(modifier)) {
    if (def.targets.length && !def.targets.includes(modifier)) {
      throw badRequest(`Parameter '${name}': ${modifier} is not a target type of this reference (expected one of ${def.targets.join(', ')})`, name);
    }
    return;
  }
  throw badRequest(`Unknown modifier ':${modifier}' for ${def.type} parameter '${def.code}' (allowed: ${(MODIFIERS[def.type] ?? []).join(', ') || 'none'})`, name);
}

function tokenValue(raw: string, modifier: string | undefined, name: string): TokenValue {
  if (modifier === 'text') return { text: unescapeValue(raw) };
  const parts = splitEscaped(raw, '|').map(unescapeValue);
  if (modifier === 'of-type') {
    if (parts.length !== 3 || !parts[1] || !parts[2]) throw badRequest(`Parameter '${name}': :of-type expects system|code|value, got '${raw}'`, name);
    return { typeSystem: parts[0] || undefined, typeCode: parts[1], code: parts[2] };
  }
  if (modifier === 'in' || modifier === 'not-in') {
    const codes = expandValueSet(unescapeValue(raw));
    if (!codes) throw badRequest(`Parameter '${name}': ValueSet '${raw}' is not known to this server (only bundled R4 ValueSets can be used with :${modifier})`, name);
    return { codes };
  }
  if (modifier === 'above' || modifier === 'below') {
    if (parts.length !== 2 || !parts[0] || !parts[1]) throw badRequest(`Parameter '${name}': :${modifier} expects system|code, got '${raw}'`, name);
    const codes = subsumption(parts[0], parts[1], modifier);
    if (!codes) throw badRequest(`Parameter '${name}': code '${parts[1]}' of '${parts[0]}' is not in a code system bundled with this server, so :${modifier} cannot be evaluated`, name);
    return { codes };
  }
  if (parts.length === 1) return { code: parts[0] };
  if (parts.length === 2) return { system: parts[0] === '' ? null : parts[0], code: parts[1] === '' ? undefined : parts[1] };
  throw badRequest(`Parameter '${name}': token expects [system|]code, got '${raw}'`, name);
}

/** Parses `Type/id`, `Type/id/_history/v`, `id`, an absolute URL (local base stripped) or `canonical|version`. */
export function referenceValue(raw: string, baseUrl: string, typeModifier?: string): SearchValue {
  let value = unescapeValue(raw);
  const localBase = baseUrl.replace(/\/$/, '');
  if (typeModifier) {
    if (value.includes('/')) {
      const [t, id] = value.split('/');
      if (t !== typeModifier) throw badRequest(`Reference '${value}' does not match the :${typeModifier} modifier`);
      return { kind: 'reference', type: t, id, localBase };
    }
    return { kind: 'reference', type: typeModifier, id: value, localBase };
  }
  const base = `${localBase}/`;
  if (value.startsWith(base)) value = value.slice(base.length);
  const m = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/([A-Za-z0-9\-.]{1,64}))?$/.exec(value);
  if (m) return { kind: 'reference', type: m[1], id: m[2], version: m[3], localBase };
  if (/^[A-Za-z0-9\-.]{1,64}$/.test(value)) return { kind: 'reference', id: value, localBase };
  const [url, version] = value.split('|');
  return { kind: 'reference', url, version };
}

const DISTANCE_UNITS: Record<string, number> = { km: 1000, m: 1, mi: 1609.344, '[mi_i]': 1609.344 };

/** Parses one (already comma-split) value of a parameter into a typed value; throws 400 if malformed. */
export function parseValue(def: ParamDef, modifier: string | undefined, raw: string, name: string, baseUrl: string): SearchValue {
  switch (def.type) {
    case 'string':
      return { kind: 'string', text: unescapeValue(raw) };
    case 'token':
      return { kind: 'token', ...tokenValue(raw, modifier, name) };
    case 'date': {
      const { prefix, rest } = splitPrefix(raw);
      const range = dateRange(rest);
      if (!range) throw badRequest(`Parameter '${name}': '${raw}' is not a valid date (expected [prefix]YYYY[-MM[-DD[Thh:mm[:ss[.sss]][Z|±hh:mm]]]])`, name);
      return { kind: 'date', prefix, range };
    }
    case 'number': {
      const { prefix, rest } = splitPrefix(raw);
      const num = numberRange(rest);
      if (!num) throw badRequest(`Parameter '${name}': '${raw}' is not a valid number`, name);
      return { kind: 'number', prefix, num };
    }
    case 'quantity': {
      const parts = splitEscaped(raw, '|').map(unescapeValue);
      if (parts.length !== 1 && parts.length !== 3) throw badRequest(`Parameter '${name}': quantity expects [prefix]number[|system|code], got '${raw}'`, name);
      const { prefix, rest } = splitPrefix(parts[0]);
      const num = numberRange(rest);
      if (!num) throw badRequest(`Parameter '${name}': '${parts[0]}' is not a valid number`, name);
      return { kind: 'quantity', prefix, num, system: parts[1] || undefined, code: parts[2] || undefined };
    }
    case 'reference':
      if (modifier === 'identifier') return { kind: 'token', ...tokenValue(raw, undefined, name) };
      return referenceValue(raw, baseUrl, modifier && modifier !== 'missing' ? modifier : undefined);
    case 'uri':
      return { kind: 'uri', value: unescapeValue(raw) };
    case 'special': {
      const parts = splitEscaped(raw, '|').map(unescapeValue);
      const [lat, lng, dist, unit] = [Number(parts[0]), Number(parts[1]), parts[2] ? Number(parts[2]) : 10, parts[3] || 'km'];
      if (parts.length < 2 || !Number.isFinite(lat) || !Number.isFinite(lng) || !Number.isFinite(dist) || Math.abs(lat) > 90 || Math.abs(lng) > 180) {
        throw badRequest(`Parameter '${name}': expected latitude|longitude[|distance[|unit]], got '${raw}'`, name);
      }
      const factor = DISTANCE_UNITS[unit];
      if (!factor) throw badRequest(`Parameter '${name}': unknown distance unit '${unit}' (km, m, mi)`, name);
      return { kind: 'near', lat, lng, meters: dist * factor };
    }
    case 'text':
      return { kind: 'text', query: unescapeValue(raw) };
    case 'composite': {
      const comps = def.components ?? [];
      const parts = splitEscaped(raw, '$');
      if (parts.length !== comps.length) throw badRequest(`Parameter '${name}': composite expects ${comps.length} '$'-separated parts, got '${raw}'`, name);
      return { kind: 'composite', parts: parts.map((p, i) => parseValue(comps[i].def, undefined, p, name, baseUrl)) };
    }
  }
}
