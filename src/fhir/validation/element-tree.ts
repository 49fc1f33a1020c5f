import type { ElementDefinition, ElementDefinitionConstraint } from 'fhir/r4';
import { getStructureDefinition } from '../model/definitions';

/** One element of a (base or profile) StructureDefinition, linked to its children and slices. */
export interface ElementNode {
  /** ElementDefinition.id, e.g. "Patient.identifier:clinic.system". */
  id: string;
  /** Last path segment, e.g. "deceased[x]". */
  name: string;
  def: ElementDefinition;
  children: ElementNode[];
  slices: ElementNode[];
  /** Whether this tree's rules (cardinality, values, bindings, targets) are checked on this node. */
  constrained: boolean;
  /** Which ElementDefinition properties this tree set (profiles); undefined means all rules apply. */
  changed?: ReadonlySet<string>;
  /** Invariants this tree evaluates on the node (error severity, with an expression). */
  constraints: ElementDefinitionConstraint[];
  /** True if this node or any descendant or slice carries something to check (lets walks prune). */
  active: boolean;
}

/** A StructureDefinition prepared for walking instances. */
export interface ElementTree {
  /** Canonical URL of the StructureDefinition. */
  url: string;
  /** The type it constrains (Patient, HumanName, ...). */
  type: string;
  /** Human label used in diagnostics (profile name or type). */
  label: string;
  isProfile: boolean;
  root: ElementNode;
  byId: Map<string, ElementNode>;
}

/** An element plus what a tree should check on it, as produced by base loading or differential application. */
export interface WorkingElement {
  def: ElementDefinition;
  constrained: boolean;
  /** Properties set by a profile's differential (undefined: every rule of the element applies). */
  changed?: Set<string>;
  constraints: ElementDefinitionConstraint[];
}

/** Error-severity invariants that carry a FHIRPath expression (the only ones evaluated). */
export function errorConstraints(def: ElementDefinition): ElementDefinitionConstraint[] {
  return (def.constraint ?? []).filter((c) => c.severity === 'error' && !!c.expression);
}

/** Splits an element id into its parent id and, for a slice, the id of the sliced element. */
export function parseElementId(id: string): { parentId?: string; slicedId?: string; name: string } {
  // Slice names may not contain '.', so the last '.' separates the last segment.
  const lastDot = id.lastIndexOf('.');
  if (lastDot < 0) return { name: id };
  const parentId = id.slice(0, lastDot);
  const seg = id.slice(lastDot + 1);
  const colon = seg.indexOf(':');
  if (colon >= 0) return { parentId, slicedId: `${parentId}.${seg.slice(0, colon)}`, name: seg.slice(0, colon) };
  return { parentId, name: seg };
}

/** Links working elements into a tree (parents before or after children, any order). */
export function buildTree(url: string, type: string, label: string, isProfile: boolean, elements: WorkingElement[]): ElementTree {
  const byId = new Map<string, ElementNode>();
  for (const w of elements) {
    const id = w.def.id ?? w.def.path;
    const parsed = parseElementId(id);
    byId.set(id, { id, name: parsed.name, def: w.def, children: [], slices: [], constrained: w.constrained, changed: w.changed, constraints: w.constraints, active: false });
  }
  let root: ElementNode | undefined;
  for (const node of byId.values()) {
    const { parentId, slicedId } = parseElementId(node.id);
    if (slicedId) byId.get(slicedId)?.slices.push(node);
    else if (parentId) byId.get(parentId)?.children.push(node);
    else root = node;
  }
  if (!root) throw new Error(`StructureDefinition ${url} has no root element`);
  // An element reusing another's definition (contentReference) also carries its invariants.
  for (const node of byId.values()) {
    const target = node.def.contentReference ? byId.get(node.def.contentReference.slice(1)) : undefined;
    if (!target) continue;
    const own = new Set(node.constraints.map((c) => c.key));
    node.constraints = [...node.constraints, ...target.constraints.filter((c) => !own.has(c.key))];
  }
  markActive(root);
  return { url, type, label, isProfile, root, byId };
}

function markActive(node: ElementNode): boolean {
  let active = node.constrained || node.constraints.length > 0;
  for (const c of node.children) active = markActive(c) || active;
  for (const s of node.slices) active = markActive(s) || active;
  node.active = active;
  return active;
}

const baseTrees = new Map<string, ElementTree | null>();

/** The element tree of a base R4 type (resource or data type), built once per process. */
export function getBaseTree(type: string): ElementTree | undefined {
  let tree = baseTrees.get(type);
  if (tree === undefined) {
    const sd = getStructureDefinition(type);
    tree = sd?.snapshot
      ? buildTree(
          sd.url,
          type,
          type,
          false,
          sd.snapshot.element.map((def) => ({ def, constrained: true, constraints: errorConstraints(def) })),
        )
      : null;
    baseTrees.set(type, tree);
  }
  return tree ?? undefined;
}

/** True for FHIR primitive types (lower-case names) and the System.* types used by id/extension.url. */
export function isPrimitiveType(code: string | undefined): boolean {
  if (!code) return false;
  return code.startsWith('http://hl7.org/fhirpath/System.') || /^[a-z]/.test(code);
}
