import type { ElementDefinition, StructureDefinition } from 'fhir/r4';
import { getStructureDefinition } from '../model/definitions';

/**
 * A definition-driven index of FHIR R4 element structure, built lazily from the official
 * StructureDefinition snapshots and cached (immutable reference data). It tells the XML/JSON
 * converters, for any complex node, its child elements in definition order, their cardinality,
 * their types and their JSON / XML names (http://hl7.org/fhir/R4/formats.html).
 */

/** How one type of a child element is represented. */
export type TypeKind = 'primitive' | 'xhtml' | 'resource' | 'complex';

/** Where the children of a complex node are defined: a StructureDefinition and a path inside it. */
export interface NodeRef {
  sd: string;
  path: string;
}

/** One allowed type of a child element, with the property / element name it takes. */
export interface ChildType {
  /** FHIR type code (primitive types resolved from System.* codes, e.g. 'string'). */
  code: string;
  kind: TypeKind;
  /** JSON property name and XML element name, e.g. 'valueQuantity' for value[x] of type Quantity. */
  name: string;
  /** The node whose children define this type's content, for complex types. */
  node?: NodeRef;
}

/** One child element of a complex node. */
export interface ChildElement {
  /** Name without the choice suffix, e.g. 'value' for value[x]. */
  base: string;
  choice: boolean;
  /** Max cardinality > 1 (JSON array). */
  array: boolean;
  /** Represented as an XML attribute (Element.id, Extension.url). */
  attribute: boolean;
  types: ChildType[];
}

/** The children of one complex node, in definition order, plus a lookup by JSON/XML name. */
export interface NodeIndex {
  ref: NodeRef;
  children: ChildElement[];
  /** Element names (JSON property / XML element), excluding attribute-represented children. */
  byName: Map<string, { element: ChildElement; type: ChildType }>;
  /** Attribute-represented children by attribute name. */
  attributes: Map<string, ChildElement>;
}

const FHIR_TYPE_EXT = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';
const SYSTEM_TYPES: Record<string, string> = {
  'http://hl7.org/fhirpath/System.String': 'string',
  'http://hl7.org/fhirpath/System.Boolean': 'boolean',
  'http://hl7.org/fhirpath/System.Integer': 'integer',
  'http://hl7.org/fhirpath/System.Decimal': 'decimal',
  'http://hl7.org/fhirpath/System.Date': 'date',
  'http://hl7.org/fhirpath/System.DateTime': 'dateTime',
  'http://hl7.org/fhirpath/System.Time': 'time',
};

const childrenByParent = new Map<string, Map<string, ElementDefinition[]>>();
const nodeIndexes = new Map<string, NodeIndex>();

/** Snapshot elements of a StructureDefinition grouped by parent path, in snapshot order. */
function childMap(sdType: string): Map<string, ElementDefinition[]> {
  let map = childrenByParent.get(sdType);
  if (map) return map;
  const sd: StructureDefinition | undefined = getStructureDefinition(sdType);
  if (!sd?.snapshot) throw new Error(`No StructureDefinition snapshot for FHIR type ${sdType}`);
  map = new Map();
  for (const el of sd.snapshot.element) {
    const dot = el.path.lastIndexOf('.');
    if (dot < 0) continue;
    const parent = el.path.slice(0, dot);
    const list = map.get(parent) ?? [];
    list.push(el);
    map.set(parent, list);
  }
  childrenByParent.set(sdType, map);
  return map;
}

const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Resolves a type code (including System.* codes) to a FHIR type code and its representation kind. */
function resolveType(t: NonNullable<ElementDefinition['type']>[number]): { code: string; kind: TypeKind } {
  let code = t.code;
  if (code.startsWith('http://hl7.org/fhirpath/System.')) {
    const ext = t.extension?.find((e) => e.url === FHIR_TYPE_EXT);
    code = ext?.valueUrl ?? ext?.valueUri ?? SYSTEM_TYPES[code] ?? 'string';
  }
  if (code === 'xhtml') return { code, kind: 'xhtml' };
  if (code === 'Resource' || code === 'DomainResource') return { code, kind: 'resource' };
  const sd = getStructureDefinition(code);
  if (sd?.kind === 'primitive-type' || (!sd && /^[a-z]/.test(code))) return { code, kind: 'primitive' };
  return { code, kind: 'complex' };
}

function buildChild(sdType: string, el: ElementDefinition): ChildElement {
  const raw = el.path.slice(el.path.lastIndexOf('.') + 1);
  const choice = raw.endsWith('[x]');
  const base = choice ? raw.slice(0, -3) : raw;
  const array = el.max === '*' || Number(el.max) > 1;
  const attribute = el.representation?.includes('xmlAttr') ?? false;
  let types: ChildType[];
  if (el.contentReference) {
    const path = el.contentReference.slice(el.contentReference.indexOf('#') + 1);
    types = [{ code: 'BackboneElement', kind: 'complex', name: base, node: { sd: sdType, path } }];
  } else if (childMap(sdType).has(el.path)) {
    // Inline BackboneElement / Element: children defined under this path in the same definition.
    types = [{ code: el.type?.[0]?.code ?? 'BackboneElement', kind: 'complex', name: base, node: { sd: sdType, path: el.path } }];
  } else {
    types = (el.type ?? []).map((t) => {
      const { code, kind } = resolveType(t);
      const name = choice ? base + upperFirst(code) : base;
      return kind === 'complex' ? { code, kind, name, node: { sd: code, path: code } } : { code, kind, name };
    });
  }
  return { base, choice, array, attribute, types };
}

/** The index of one complex node (cached). Throws a plain Error for an unknown definition (a bug, not client input). */
export function getNodeIndex(ref: NodeRef): NodeIndex {
  const key = `${ref.sd}|${ref.path}`;
  let idx = nodeIndexes.get(key);
  if (idx) return idx;
  const defs = childMap(ref.sd).get(ref.path);
  if (!defs) throw new Error(`No element definitions under ${ref.path} in ${ref.sd}`);
  const children = defs.map((el) => buildChild(ref.sd, el));
  const byName = new Map<string, { element: ChildElement; type: ChildType }>();
  const attributes = new Map<string, ChildElement>();
  for (const element of children) {
    if (element.attribute) {
      attributes.set(element.base, element);
      continue;
    }
    for (const type of element.types) byName.set(type.name, { element, type });
  }
  idx = { ref, children, byName, attributes };
  nodeIndexes.set(key, idx);
  return idx;
}

/** The index of the top-level node of a resource or data type, e.g. getTypeIndex('Patient'). */
export function getTypeIndex(type: string): NodeIndex {
  return getNodeIndex({ sd: type, path: type });
}
