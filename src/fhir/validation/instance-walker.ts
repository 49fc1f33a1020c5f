import { getStructureDefinition, isResourceType } from '../model/definitions';
import { getBaseTree, isPrimitiveType, type ElementNode, type ElementTree } from './element-tree';
import { evaluateInvariants } from './invariants';
import { assignSlices } from './slicing';
import { checkElement } from './structure-rules';
import type { Occurrence, WalkContext } from './walk-context';

const SYSTEM_TYPE = 'http://hl7.org/fhirpath/System.';

/** The FHIR type code of a type entry (System.String → string, etc.). */
function normalizeType(code: string | undefined): string | undefined {
  if (!code?.startsWith(SYSTEM_TYPE)) return code;
  const t = code.slice(SYSTEM_TYPE.length);
  return t === 'String' ? 'string' : t === 'Boolean' ? 'boolean' : t === 'Integer' ? 'integer' : t === 'Decimal' ? 'decimal' : 'string';
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Occurrences of one JSON property (value + `_value` for primitives), one per array item. */
function occurrencesOf(obj: Record<string, unknown>, key: string, typeCode: string | undefined, parentLocation: string, out: Occurrence[], disallowedType?: string): void {
  const value = obj[key];
  const ext = obj[`_${key}`];
  if (Array.isArray(value) || Array.isArray(ext)) {
    const values = Array.isArray(value) ? value : [];
    const exts = Array.isArray(ext) ? ext : [];
    const n = Math.max(values.length, exts.length);
    for (let i = 0; i < n; i++) {
      const v = values[i] ?? undefined;
      const e = exts[i] ?? undefined;
      if (v === undefined && e === undefined) continue;
      out.push({ value: v, ext: e, location: `${parentLocation}.${key}[${i}]`, typeCode, key, disallowedType });
    }
  } else if ((value !== undefined && value !== null) || (ext !== undefined && ext !== null)) {
    out.push({ value: value ?? undefined, ext: ext ?? undefined, location: `${parentLocation}.${key}`, typeCode, key, disallowedType });
  }
}

/** All occurrences of an element definition in a parent object; choice elements resolve their type from the property name. */
export function collectOccurrences(obj: Record<string, unknown>, node: ElementNode, parentLocation: string): Occurrence[] {
  const out: Occurrence[] = [];
  const types = node.def.type ?? [];
  if (!node.name.endsWith('[x]')) {
    // contentReference elements (Questionnaire.item.item, Parameters.parameter.part) carry no type.
    const type = types[0]?.code ?? (node.def.contentReference ? 'BackboneElement' : undefined);
    occurrencesOf(obj, node.name, normalizeType(type), parentLocation, out);
    return out;
  }
  const base = node.name.slice(0, -3);
  const seen = new Set<string>();
  for (const raw of Object.keys(obj)) {
    const key = raw.startsWith('_') ? raw.slice(1) : raw;
    if (seen.has(key) || !key.startsWith(base)) continue;
    const suffix = key.slice(base.length);
    if (!/^[A-Z]/.test(suffix)) continue;
    seen.add(key);
    const type = types.find((t) => capitalize(t.code) === suffix);
    if (type) occurrencesOf(obj, key, type.code, parentLocation, out);
    else if (getStructureDefinition(suffix) || getStructureDefinition(suffix.charAt(0).toLowerCase() + suffix.slice(1))) {
      occurrencesOf(obj, key, undefined, parentLocation, out, suffix);
    }
  }
  return out;
}

/** The fhirpath.js model path to evaluate invariants on an occurrence of a complex type. */
function modelBase(typeCode: string, modelPath: string): string {
  return typeCode === 'BackboneElement' || typeCode === 'Element' ? modelPath : typeCode;
}

function env(ctx: WalkContext) {
  return { resource: ctx.resource, rootResource: ctx.rootResource };
}

const primitiveRules = new WeakMap<ElementNode, ElementNode['constraints']>();

/** The invariants of a primitive element other than ele-1 (which a primitive with a value always meets). */
function primitiveConstraints(node: ElementNode): ElementNode['constraints'] {
  let rules = primitiveRules.get(node);
  if (!rules) {
    rules = node.constraints.filter((c) => c.key !== 'ele-1');
    primitiveRules.set(node, rules);
  }
  return rules;
}

/** Runs the checks and invariants of one node (or slice) over its occurrences, then descends into them. */
function visit(tree: ElementTree, node: ElementNode, occs: Occurrence[], parentLocation: string, modelPath: string, ctx: WalkContext): void {
  if (node.constrained) checkElement(node, occs, parentLocation, ctx);
  if (node.constraints.length) {
    for (const occ of occs) {
      if (!occ.typeCode || isResourceType(occ.typeCode)) continue;
      if (isPrimitiveType(occ.typeCode)) {
        // e.g. txt-1/txt-2 htmlChecks() on Narrative.div; ele-1 holds for any primitive with a value.
        const rules = primitiveConstraints(node);
        if (rules.length && occ.value !== undefined) {
          evaluateInvariants(rules, { value: occ.value, location: occ.location, base: modelPath }, env(ctx), ctx.suffix, ctx.issues);
        }
      } else if (isObject(occ.value)) {
        evaluateInvariants(node.constraints, { value: occ.value, location: occ.location, base: modelBase(occ.typeCode, modelPath) }, env(ctx), ctx.suffix, ctx.issues);
      }
    }
  }
  if (node.slices.length) {
    const assigned = assignSlices(tree, node, occs, ctx);
    if (assigned) for (const [slice, sliceOccs] of assigned) if (slice.active) visit(tree, slice, sliceOccs, parentLocation, modelPath, ctx);
  }
  for (const occ of occs) descend(tree, node, occ, modelPath, ctx);
}

function walkChildren(tree: ElementTree, node: ElementNode, obj: Record<string, unknown>, location: string, modelPath: string, ctx: WalkContext): void {
  let children = node.children;
  if (!children.length && node.def.contentReference) children = tree.byId.get(node.def.contentReference.slice(1))?.children ?? [];
  for (const child of children) {
    if (!child.active) continue;
    const occs = collectOccurrences(obj, child, location);
    // A contentReference element (Questionnaire.item.item) has the model type of the element it reuses.
    const childModel = child.def.contentReference ? child.def.contentReference.slice(1) : `${modelPath}.${child.name.replace('[x]', '')}`;
    visit(tree, child, occs, location, childModel, ctx);
  }
}

function descend(tree: ElementTree, node: ElementNode, occ: Occurrence, modelPath: string, ctx: WalkContext): void {
  const value = occ.value;
  const type = occ.typeCode;
  if (!isObject(value) || !type || isPrimitiveType(type)) return;
  if (type === 'Resource' || type === 'DomainResource' || isResourceType(type)) {
    if (!tree.isProfile) ctx.onEmbeddedResource?.(value, occ.location, occ.key === 'contained');
    return;
  }
  if (node.children.length || node.def.contentReference) {
    walkChildren(tree, node, value, occ.location, modelBase(type, modelPath), ctx);
    return;
  }
  if (tree.isProfile) return; // base rules of data types are checked by the base walk
  const dt = getBaseTree(type);
  if (!dt) return;
  const own = new Set(node.constraints.map((c) => c.key));
  const extra = dt.root.constraints.filter((c) => !own.has(c.key));
  if (extra.length) evaluateInvariants(extra, { value, location: occ.location, base: type }, env(ctx), ctx.suffix, ctx.issues);
  walkChildren(dt, dt.root, value, occ.location, type, ctx);
}

/**
 * Walks one resource against one element tree (a base type or a profile), running structure rules
 * and invariants on every element instance. Base walks descend into data types and report embedded
 * resources through ctx.onEmbeddedResource; profile walks only visit what the profile constrains.
 */
export function walkResource(tree: ElementTree, resource: Record<string, unknown>, location: string, ctx: WalkContext): void {
  if (tree.root.constraints.length) {
    evaluateInvariants(tree.root.constraints, { value: resource, location, base: undefined }, env(ctx), ctx.suffix, ctx.issues);
  }
  walkChildren(tree, tree.root, resource, location, tree.type, ctx);
}
