import { FhirError, issue } from '../../shared/fhir-error';

/**
 * Rewrites every `reference` (and any string equal to a mapped fullUrl, e.g. a uri pointing at a
 * bundle entry) using `map` (fullUrl → Type/id). Conditional references `Type?criteria` are
 * resolved with `resolveConditional`, which must return exactly one `Type/id`.
 */
export async function rewriteReferences(
  value: unknown,
  map: Map<string, string>,
  resolveConditional: (reference: string) => Promise<string>,
  path: string,
): Promise<unknown> {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) out.push(await rewriteReferences(value[i], map, resolveConditional, `${path}[${i}]`));
    return out;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === 'reference' && typeof v === 'string') out[k] = await rewriteOne(v, map, resolveConditional, `${path}.reference`);
      else if (k === 'div' && typeof v === 'string') out[k] = rewriteNarrative(v, map);
      else out[k] = await rewriteReferences(v, map, resolveConditional, `${path}.${k}`);
    }
    return out;
  }
  if (typeof value === 'string' && map.has(value)) return map.get(value);
  return value;
}

async function rewriteOne(ref: string, map: Map<string, string>, resolveConditional: (r: string) => Promise<string>, path: string): Promise<string> {
  const mapped = map.get(ref);
  if (mapped) return mapped;
  if (ref.startsWith('urn:uuid:') || ref.startsWith('urn:oid:')) {
    throw new FhirError(400, issue('not-found', `Reference '${ref}' does not match the fullUrl of any entry in this Bundle`, path));
  }
  if (/^[A-Z][A-Za-z]+\?/.test(ref)) return resolveConditional(ref);
  return ref;
}

/** Narrative links (`href`/`src`) that point at bundle entries are rewritten too. */
function rewriteNarrative(div: string, map: Map<string, string>): string {
  return div.replace(/(href|src)="([^"]+)"/g, (all, attr: string, url: string) => (map.has(url) ? `${attr}="${map.get(url)}"` : all));
}
