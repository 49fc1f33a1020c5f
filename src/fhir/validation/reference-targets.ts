import { isResourceType } from '../model/definitions';

const CORE_SD = 'http://hl7.org/fhir/StructureDefinition/';

/**
 * The resource type a Reference points to, when it can be told offline: literal relative
 * references (`Type/id[/_history/vid]`), absolute URLs whose path ends that way, and `#id` references
 * into the container's `contained` (http://hl7.org/fhir/R4/references.html#literal). `urn:` references,
 * conditional references and logical-only references give undefined (not checked).
 */
export function referencedType(ref: Record<string, unknown>, rootResource: Record<string, unknown>): { type: string; reference: string } | undefined {
  const reference = ref.reference;
  if (typeof reference === 'string') {
    if (reference.startsWith('#')) {
      const id = reference.slice(1);
      if (!id) return typeof rootResource.resourceType === 'string' ? { type: rootResource.resourceType, reference } : undefined;
      const contained = Array.isArray(rootResource.contained) ? rootResource.contained : [];
      const hit = contained.find((c) => c && typeof c === 'object' && (c as Record<string, unknown>).id === id) as Record<string, unknown> | undefined;
      return hit && typeof hit.resourceType === 'string' ? { type: hit.resourceType, reference } : undefined;
    }
    if (reference.startsWith('urn:') || reference.includes('?')) return undefined;
    const m = /(?:^|\/)([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/.exec(reference);
    if (m && isResourceType(m[1])) return { type: m[1], reference };
    return undefined;
  }
  if (typeof ref.type === 'string' && isResourceType(ref.type)) return { type: ref.type, reference: `type ${ref.type}` };
  return undefined;
}

/**
 * Resource types allowed by a list of targetProfile canonicals, or undefined when any type is allowed
 * or a target profile cannot be mapped to a type. `profileType` maps non-core profile URLs.
 */
export function allowedTargetTypes(targetProfiles: string[] | undefined, profileType: (url: string) => string | undefined): string[] | undefined {
  if (!targetProfiles?.length) return undefined;
  const out: string[] = [];
  for (const url of targetProfiles) {
    const type = url.startsWith(CORE_SD) ? url.slice(CORE_SD.length) : profileType(url);
    if (!type) return undefined;
    if (type === 'Resource' || type === 'DomainResource') return undefined;
    out.push(type);
  }
  return out;
}
