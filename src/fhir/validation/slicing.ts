import type { ElementDefinitionSlicingDiscriminator } from 'fhir/r4';
import type { ElementNode, ElementTree } from './element-tree';
import { validationIssue } from './issues';
import { deepEqual, fixedOrPattern, matchesPattern } from './pattern-match';
import type { Occurrence, WalkContext } from './walk-context';

/** Values found at a simple dotted path (e.g. "system", "coding.system") below a JSON value. */
function valuesAt(value: unknown, path: string): unknown[] {
  let current: unknown[] = [value];
  if (path === '$this') return current;
  for (const seg of path.split('.')) {
    const next: unknown[] = [];
    for (const v of current) {
      if (!v || typeof v !== 'object' || Array.isArray(v)) continue;
      const child = (v as Record<string, unknown>)[seg];
      if (Array.isArray(child)) next.push(...child);
      else if (child !== undefined) next.push(child);
    }
    current = next;
  }
  return current;
}

/** Whether an occurrence belongs to a slice; undefined when a discriminator type is not supported. */
function matchesSlice(tree: ElementTree, slice: ElementNode, discriminators: ElementDefinitionSlicingDiscriminator[], occ: Occurrence): boolean | undefined {
  for (const d of discriminators) {
    if (d.type !== 'value' && d.type !== 'pattern') return undefined;
    const target = d.path === '$this' ? slice : tree.byId.get(`${slice.id}.${d.path}`);
    const rule = target && fixedOrPattern(target.def);
    if (!rule) return false;
    const found = valuesAt(occ.value, d.path);
    const ok = found.some((v) => (rule.kind === 'fixed' ? deepEqual(v, rule.value) : matchesPattern(v, rule.value)));
    if (!ok) return false;
  }
  return true;
}

/**
 * Assigns the occurrences of a sliced element to its slices using value/pattern discriminators
 * (http://hl7.org/fhir/R4/profiling.html#discriminator). Reports occurrences matching no slice when
 * slicing is closed. Returns undefined (slices not checked) for unsupported discriminator types.
 */
export function assignSlices(tree: ElementTree, node: ElementNode, occurrences: Occurrence[], ctx: WalkContext): Map<ElementNode, Occurrence[]> | undefined {
  const slicing = node.def.slicing;
  const discriminators = slicing?.discriminator ?? [];
  if (!discriminators.length) return undefined;
  const out = new Map<ElementNode, Occurrence[]>(node.slices.map((s) => [s, []]));
  for (const occ of occurrences) {
    let matched = false;
    for (const slice of node.slices) {
      const m = matchesSlice(tree, slice, discriminators, occ);
      if (m === undefined) return undefined;
      if (m) {
        out.get(slice)!.push(occ);
        matched = true;
        break;
      }
    }
    if (!matched && slicing?.rules === 'closed') {
      ctx.issues.push(validationIssue('structure', `Element matches none of the slices of ${node.def.path} (slicing is closed)${ctx.suffix}`, occ.location));
    }
  }
  return out;
}
