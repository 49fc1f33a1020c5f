/**
 * A small UCUM canonicaliser for quantity search (http://hl7.org/fhir/R4/search.html#quantity):
 * metric prefixes on g, L, m, s, mol, Pa, eq, U, and common time units, converted to the base unit
 * so `5.4|http://unitsofmeasure.org|mg` finds `0.0054 g`. Units it does not know stay uncanonicalised.
 */
const PREFIX: Record<string, number> = { k: 1e3, h: 1e2, da: 1e1, d: 1e-1, c: 1e-2, m: 1e-3, u: 1e-6, n: 1e-9, p: 1e-12, f: 1e-15 };
const BASE: Record<string, [factor: number, code: string]> = {
  g: [1, 'g'], L: [1, 'L'], l: [1, 'L'], m: [1, 'm'], s: [1, 's'], mol: [1, 'mol'], Pa: [1, 'Pa'], eq: [1, 'eq'], U: [1, 'U'],
  min: [60, 's'], h: [3600, 's'], d: [86400, 's'], wk: [604800, 's'], mo: [2629800, 's'], a: [31557600, 's'],
  '%': [0.01, '1'], '1': [1, '1'],
};

/** The value in the canonical unit, or undefined for units not handled (no compound units). */
export function canonicalQuantity(value: number, code: string): { value: number; code: string } | undefined {
  const exact = BASE[code];
  if (exact) return { value: round(value * exact[0]), code: exact[1] };
  for (const p of ['da', ...Object.keys(PREFIX).filter((k) => k !== 'da')]) {
    if (!code.startsWith(p)) continue;
    const base = BASE[code.slice(p.length)];
    if (base && ['g', 'L', 'l', 'm', 's', 'mol', 'Pa', 'eq', 'U'].includes(code.slice(p.length))) {
      return { value: round(value * PREFIX[p] * base[0]), code: base[1] };
    }
  }
  return undefined;
}

function round(n: number): number {
  return Number(n.toPrecision(15));
}
