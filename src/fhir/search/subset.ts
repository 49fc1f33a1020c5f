import type { Resource } from 'fhir/r4';
import { getStructureDefinition } from '../model/definitions';

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED', display: 'Resource encoded in summary mode' };
const summaryCache = new Map<string, Set<string>>();

/** Top-level element names marked isSummary (or mandatory) in the type's StructureDefinition. */
function summaryElements(type: string): Set<string> {
  let set = summaryCache.get(type);
  if (!set) {
    set = new Set(['resourceType', 'id', 'meta']);
    for (const el of getStructureDefinition(type)?.snapshot?.element ?? []) {
      const parts = el.path.split('.');
      if (parts.length !== 2) continue;
      if (el.isSummary || (el.min ?? 0) > 0) set.add(parts[1].replace('[x]', ''));
    }
    summaryCache.set(type, set);
  }
  return set;
}

function keep(resource: Resource, names: (name: string) => boolean): Resource {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(resource)) {
    const base = k.replace(/^_/, '');
    const choiceBase = base.replace(/[A-Z].*$/, '');
    if (k === 'resourceType' || k === 'id' || k === 'meta' || names(base) || names(choiceBase)) out[k] = v;
  }
  return out as unknown as Resource;
}

function tag(resource: Resource): Resource {
  const meta = { ...(resource.meta ?? {}) };
  meta.tag = [...(meta.tag ?? []).filter((t) => t.code !== 'SUBSETTED'), SUBSETTED];
  return { ...resource, meta };
}

/**
 * Applies `_summary` / `_elements` to one resource (http://hl7.org/fhir/R4/search.html#summary,
 * #elements) and marks it SUBSETTED. Returns the resource unchanged when neither applies.
 */
export function subsetResource(resource: Resource, summary: string | undefined, elements: string[] | undefined): Resource {
  if (elements?.length) {
    const wanted = new Set(elements.map((e) => e.replace(new RegExp(`^${resource.resourceType}\\.`), '').split('.')[0]));
    const mandatory = summaryElements(resource.resourceType);
    return tag(keep(resource, (n) => wanted.has(n) || (mandatory.has(n) && n === 'resourceType')));
  }
  switch (summary) {
    case 'true': {
      const s = summaryElements(resource.resourceType);
      return tag(keep(resource, (n) => s.has(n)));
    }
    case 'text':
      return tag(keep(resource, (n) => n === 'text' || (getStructureDefinition(resource.resourceType)?.snapshot?.element ?? []).some((e) => e.path === `${resource.resourceType}.${n}` && (e.min ?? 0) > 0)));
    case 'data': {
      const { text: _t, ...rest } = resource as Resource & { text?: unknown };
      return tag(rest as Resource);
    }
    default:
      return resource;
  }
}
