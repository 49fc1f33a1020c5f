import type { ElementDefinition, StructureDefinition } from 'fhir/r4';
import { getStructureDefinition } from '../model/definitions';
import { errorConstraints, isPrimitiveType, parseElementId, type WorkingElement } from './element-tree';

/** Differential properties that do not change validation (documentation, mappings, mustSupport, ...). */
const IGNORED = new Set([
  'id', 'path', 'extension', 'modifierExtension', 'short', 'definition', 'comment', 'requirements', 'alias', 'mapping',
  'mustSupport', 'isSummary', 'isModifier', 'isModifierReason', 'meaningWhenMissing', 'example', 'label', 'code', 'base',
  'representation', 'orderMeaning', 'condition',
]);

const clone = <T>(v: T): T => structuredClone(v);

/** Finds an element by id, creating it by unfolding the parent's data type or by adding a slice. */
function ensureElement(elements: WorkingElement[], id: string, profileUrl: string): WorkingElement {
  const found = elements.find((w) => (w.def.id ?? w.def.path) === id);
  if (found) return found;
  const { parentId, slicedId, name } = parseElementId(id);
  if (!parentId) throw new Error(`Profile ${profileUrl}: element '${id}' is not in the base type`);
  if (slicedId) {
    const sliced = ensureElement(elements, slicedId, profileUrl);
    const def: ElementDefinition = { ...clone(sliced.def), id, sliceName: id.slice(id.lastIndexOf(':') + 1) };
    delete def.slicing;
    const w: WorkingElement = { def, constrained: false, constraints: [] };
    elements.push(w);
    return w;
  }
  const parent = ensureElement(elements, parentId, profileUrl);
  const types = parent.def.type ?? [];
  const type = types.length === 1 ? types[0].code : undefined;
  const unfoldable = type && !isPrimitiveType(type) && type !== 'BackboneElement' && type !== 'Element';
  const sd = unfoldable ? getStructureDefinition(type) : undefined;
  if (!sd?.snapshot) throw new Error(`Profile ${profileUrl}: element '${id}' is not in the base type (cannot find '${name}' under '${parentId}')`);
  const parentPath = parent.def.path;
  for (const child of sd.snapshot.element.slice(1)) {
    const childId = child.id ?? child.path;
    elements.push({
      def: { ...clone(child), id: `${parentId}${childId.slice(type!.length)}`, path: `${parentPath}${child.path.slice(type!.length)}` },
      constrained: false,
      constraints: [],
    });
  }
  const created = elements.find((w) => (w.def.id ?? w.def.path) === id);
  if (!created) throw new Error(`Profile ${profileUrl}: element '${id}' is not in type ${type}`);
  return created;
}

/** Merges one differential element into its snapshot element; its rules become checked by the profile. */
function merge(target: WorkingElement, diff: ElementDefinition): void {
  const def = target.def as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(diff)) {
    if (IGNORED.has(key)) continue;
    if (key === 'constraint') {
      const added = clone(value as NonNullable<ElementDefinition['constraint']>);
      target.def.constraint = [...(target.def.constraint ?? []), ...added];
      target.constraints.push(...errorConstraints({ path: diff.path, constraint: added }));
      continue;
    }
    if (/^(fixed|pattern)[A-Z]/.test(key)) {
      for (const k of Object.keys(def)) if (/^(fixed|pattern)[A-Z]/.test(k)) delete def[k];
    }
    def[key] = clone(value);
  }
  target.changed = new Set([...(target.constrained ? (target.changed ?? []) : []), ...Object.keys(diff).filter((k) => !IGNORED.has(k))]);
  target.constrained = true;
}

/**
 * The effective element list of a constraint profile: its base's elements with the differential
 * applied (min/max, type/targetProfile, fixed[x]/pattern[x], binding, slicing, added constraints),
 * as in snapshot generation (http://hl7.org/fhir/R4/profiling.html#snapshot). Only elements the
 * profile touches are marked as checked; the base walk covers everything else. A profile without a
 * differential is used through its snapshot, every element checked.
 */
export function applyDifferential(sd: StructureDefinition, baseElements: WorkingElement[]): WorkingElement[] {
  const diff = sd.differential?.element;
  if (!diff?.length) {
    if (!sd.snapshot?.element.length) throw new Error(`Profile ${sd.url} has neither a differential nor a snapshot`);
    return sd.snapshot.element.map((def) => ({ def, constrained: true, constraints: errorConstraints(def) }));
  }
  const elements: WorkingElement[] = baseElements.map((w) => ({
    def: clone(w.def),
    constrained: w.constrained,
    changed: w.changed && new Set(w.changed),
    constraints: [...w.constraints],
  }));
  for (const d of diff) {
    const id = d.id ?? d.path;
    merge(ensureElement(elements, id, sd.url ?? '?'), d);
  }
  return elements;
}
