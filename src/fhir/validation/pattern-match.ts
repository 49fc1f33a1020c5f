/** Exact equality of two JSON values, as required by ElementDefinition.fixed[x] (http://hl7.org/fhir/R4/elementdefinition-definitions.html#ElementDefinition.fixed_x_). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ak = Object.keys(a as object);
  const bo = b as Record<string, unknown>;
  return ak.length === Object.keys(bo).length && ak.every((k) => deepEqual((a as Record<string, unknown>)[k], bo[k]));
}

/**
 * Pattern matching as required by ElementDefinition.pattern[x]: every property in the pattern must be
 * present with a matching value, and each item of a pattern array must match some item of the
 * instance array (http://hl7.org/fhir/R4/elementdefinition-definitions.html#ElementDefinition.pattern_x_).
 */
export function matchesPattern(instance: unknown, pattern: unknown): boolean {
  if (pattern === null || typeof pattern !== 'object') return instance === pattern;
  if (Array.isArray(pattern)) {
    if (!Array.isArray(instance)) return pattern.every((p) => matchesPattern(instance, p)) && pattern.length <= 1;
    return pattern.every((p) => instance.some((i) => matchesPattern(i, p)));
  }
  if (instance === null || typeof instance !== 'object' || Array.isArray(instance)) return false;
  const inst = instance as Record<string, unknown>;
  return Object.entries(pattern as Record<string, unknown>).every(([k, v]) => matchesPattern(inst[k], v));
}

/** The fixed[x] or pattern[x] an element definition declares, if any. */
export function fixedOrPattern(def: object): { kind: 'fixed' | 'pattern'; key: string; value: unknown } | undefined {
  for (const [key, value] of Object.entries(def)) {
    if (/^fixed[A-Z]/.test(key)) return { kind: 'fixed', key, value };
    if (/^pattern[A-Z]/.test(key)) return { kind: 'pattern', key, value };
  }
  return undefined;
}
