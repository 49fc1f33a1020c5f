import type { Resource } from 'fhir/r4';
import { badRequest } from '../../shared/fhir-error';
import { isResourceType } from '../model/definitions';
import { getNodeIndex, getTypeIndex, type ChildElement, type ChildType, type NodeIndex } from './element-index';
import { parsePrimitive } from './primitive-values';
import { buildDivString, FHIR_NS, XHTML_NS } from './xhtml';
import { parseXmlDocument, type XmlElement } from './xml-document';

type Json = Record<string, unknown>;

interface Item {
  value?: unknown;
  companion?: Json;
}

interface Group {
  element: ChildElement;
  type: ChildType;
  items: Item[];
}

/**
 * Parses FHIR XML (http://hl7.org/fhir/R4/xml.html) into the FHIR JSON form, typed per the R4
 * StructureDefinitions: repeating elements become arrays, numbers/booleans become JSON numbers/
 * booleans, primitive ids/extensions go to `_name` companions (aligned with nulls in arrays), the
 * narrative div becomes an XHTML string. Throws FhirError 400 naming what was wrong and where for
 * malformed XML, DOCTYPE/entities, a root that is not an R4 resource, a wrong namespace, unknown
 * elements or attributes, repeated single elements, and invalid primitive values.
 * Element order is not enforced on input (the output is written in definition order).
 */
export function fhirXmlToJson(xml: string): Resource {
  const root = parseXmlDocument(xml);
  return readResource(root, root.name, true) as unknown as Resource;
}

function describeNs(ns: string | undefined): string {
  return ns === undefined ? 'no namespace' : `"${ns}"`;
}

function checkNamespace(el: XmlElement, expected: string, path: string): void {
  if (el.namespace !== expected) {
    throw badRequest(`Wrong namespace on ${el.qname} at ${path}: expected xmlns="${expected}", got ${describeNs(el.namespace)}`, path);
  }
}

function readResource(el: XmlElement, path: string, isRoot: boolean): Json {
  if (!isResourceType(el.name)) {
    const where = isRoot ? 'Root element' : `Element at ${path}`;
    throw badRequest(`${where} '${el.qname}' is not an R4 resource type`, path);
  }
  checkNamespace(el, FHIR_NS, path);
  const out: Json = { resourceType: el.name };
  readContent(el, getTypeIndex(el.name), isRoot ? el.name : path, out, true);
  return out;
}

/** Validates an element's attributes; returns the FHIR ones. Namespace declarations and prefixed (foreign) attributes are skipped. */
function attributesOf(el: XmlElement, allowed: (name: string) => boolean, path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(el.attributes)) {
    if (name === 'xmlns' || name.includes(':')) continue;
    if (!allowed(name)) throw badRequest(`Unknown attribute '${name}' on element at ${path}`, path);
    out[name] = value;
  }
  return out;
}

function noText(el: XmlElement, path: string): void {
  if (el.text.trim() !== '') throw badRequest(`Unexpected text content in element at ${path}: FHIR values go in the value attribute`, path);
}

function readContent(el: XmlElement, idx: NodeIndex, path: string, out: Json, isResource: boolean): void {
  const attrs = attributesOf(el, (n) => !isResource && idx.attributes.has(n), path);
  Object.assign(out, attrs);
  noText(el, path);
  const groups = new Map<string, Group>();
  const choices = new Map<string, string>();
  for (const child of el.children) {
    const entry = idx.byName.get(child.name);
    if (!entry) throw badRequest(`Unknown element '${child.qname}' at ${path}`, `${path}.${child.name}`);
    const { element, type } = entry;
    checkNamespace(child, type.kind === 'xhtml' ? XHTML_NS : FHIR_NS, `${path}.${child.name}`);
    const chosen = choices.get(element.base);
    if (chosen !== undefined && chosen !== type.name) {
      throw badRequest(`Only one of '${chosen}' and '${type.name}' may be present at ${path}`, `${path}.${type.name}`);
    }
    choices.set(element.base, type.name);
    let group = groups.get(type.name);
    if (!group) groups.set(type.name, (group = { element, type, items: [] }));
    if (!element.array && group.items.length) {
      throw badRequest(`Element '${child.name}' appears more than once at ${path}, but its max cardinality is 1`, `${path}.${child.name}`);
    }
    const itemPath = element.array ? `${path}.${child.name}[${group.items.length}]` : `${path}.${child.name}`;
    group.items.push(readOne(child, type, itemPath));
  }
  // Assemble in definition order.
  for (const element of idx.children) {
    for (const type of element.types) {
      const group = groups.get(type.name);
      if (group) assign(out, group);
    }
  }
}

function assign(out: Json, { element, type, items }: Group): void {
  const name = type.name;
  if (type.kind !== 'primitive') {
    out[name] = element.array ? items.map((i) => i.value) : items[0].value;
    return;
  }
  if (!element.array) {
    if (items[0].value !== undefined) out[name] = items[0].value;
    if (items[0].companion) out[`_${name}`] = items[0].companion;
    return;
  }
  if (items.some((i) => i.value !== undefined)) out[name] = items.map((i) => i.value ?? null);
  if (items.some((i) => i.companion)) out[`_${name}`] = items.map((i) => i.companion ?? null);
}

function readOne(el: XmlElement, type: ChildType, path: string): Item {
  switch (type.kind) {
    case 'primitive':
      return readPrimitive(el, type, path);
    case 'xhtml':
      if (el.qname !== 'div') throw badRequest(`Narrative div at ${path} must be written <div xmlns="${XHTML_NS}">, without a prefix`, path);
      return { value: buildDivString(el.attributes, el.text, path) };
    case 'resource': {
      attributesOf(el, () => false, path);
      noText(el, path);
      if (el.children.length !== 1) {
        throw badRequest(`Element at ${path} must contain exactly one resource element, found ${el.children.length}`, path);
      }
      return { value: readResource(el.children[0], path, false) };
    }
    default: {
      const value: Json = {};
      readContent(el, getNodeIndex(type.node!), path, value, false);
      return { value };
    }
  }
}

function readPrimitive(el: XmlElement, type: ChildType, path: string): Item {
  const attrs = attributesOf(el, (n) => n === 'value' || n === 'id', path);
  noText(el, path);
  const item: Item = {};
  if (attrs.value !== undefined) item.value = parsePrimitive(type.code, attrs.value, path);
  const companion: Json = {};
  if (attrs.id !== undefined) companion.id = attrs.id;
  const extIdx = getTypeIndex('Extension');
  const extensions = el.children.map((child, i) => {
    if (child.name !== 'extension') {
      throw badRequest(`Unknown element '${child.qname}' at ${path}: a primitive element may only contain extension`, `${path}.${child.name}`);
    }
    checkNamespace(child, FHIR_NS, `${path}.extension[${i}]`);
    const ext: Json = {};
    readContent(child, extIdx, `${path}.extension[${i}]`, ext, false);
    return ext;
  });
  if (extensions.length) companion.extension = extensions;
  if (Object.keys(companion).length) item.companion = companion;
  if (item.value === undefined && !item.companion) {
    throw badRequest(`Element at ${path} has neither a value attribute nor extensions`, path);
  }
  return item;
}
