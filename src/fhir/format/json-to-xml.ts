import type { Resource } from 'fhir/r4';
import { badRequest } from '../../shared/fhir-error';
import { isResourceType } from '../model/definitions';
import { getNodeIndex, getTypeIndex, type ChildElement, type ChildType, type NodeIndex } from './element-index';
import { formatPrimitive } from './primitive-values';
import { FHIR_NS, prepareDivForXml } from './xhtml';
import { escapeAttribute, XmlWriter } from './xml-writer';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Serialises a FHIR R4 resource (JSON form) to FHIR XML per http://hl7.org/fhir/R4/xml.html:
 * root element named after resourceType in the FHIR namespace, children in StructureDefinition
 * order, primitives as `value` attributes (with `_name` companions merged in), Element.id and
 * Extension.url as attributes, the narrative div verbatim. Throws FhirError 400 for properties the
 * definitions do not know or values of the wrong JSON type, naming the path.
 */
export function fhirJsonToXml(resource: Resource | Record<string, unknown>, options: { pretty?: boolean } = {}): string {
  const res = resource as unknown;
  if (!isObject(res)) throw badRequest('Cannot serialise to XML: expected a FHIR resource object');
  const w = new XmlWriter(options.pretty ?? false);
  writeResource(w, res, typeof res.resourceType === 'string' ? res.resourceType : 'resourceType', [['xmlns', FHIR_NS]]);
  return w.toString();
}

function writeResource(w: XmlWriter, res: Json, path: string, attrs: [string, string][]): void {
  const type = res.resourceType;
  if (typeof type !== 'string' || !isResourceType(type)) {
    throw badRequest(`Cannot serialise to XML: '${String(type)}' at ${path} is not an R4 resource type`, path);
  }
  writeComplex(w, type, attrs, res, getTypeIndex(type), path, true);
}

function checkKeys(obj: Json, idx: NodeIndex, path: string, isResource: boolean): boolean {
  let hasElements = false;
  for (const key of Object.keys(obj)) {
    if (obj[key] === undefined) continue;
    if ((isResource && key === 'resourceType') || idx.attributes.has(key)) continue;
    const entry = idx.byName.get(key.startsWith('_') ? key.slice(1) : key);
    if (!entry || (key.startsWith('_') && entry.type.kind !== 'primitive')) {
      throw badRequest(`Unknown property '${key}' at ${path}`, `${path}.${key}`);
    }
    hasElements = true;
  }
  return hasElements;
}

function writeComplex(w: XmlWriter, name: string, extra: [string, string][], obj: Json, idx: NodeIndex, path: string, isResource = false): void {
  const hasElements = checkKeys(obj, idx, path, isResource);
  const attrs = [...extra];
  for (const [attrName] of idx.attributes) {
    if (obj[attrName] === undefined) continue;
    const p = `${path}.${attrName}`;
    attrs.push([attrName, escapeAttribute(formatPrimitive('string', obj[attrName], p), p)]);
  }
  if (!hasElements) {
    w.empty(name, attrs);
    return;
  }
  w.open(name, attrs);
  for (const element of idx.children) {
    if (!element.attribute) writeElement(w, obj, element, path);
  }
  w.close(name);
}

function writeElement(w: XmlWriter, obj: Json, element: ChildElement, path: string): void {
  let written: string | undefined;
  for (const type of element.types) {
    const value = obj[type.name];
    const companion = type.kind === 'primitive' ? obj[`_${type.name}`] : undefined;
    if (value === undefined && companion === undefined) continue;
    const p = `${path}.${type.name}`;
    if (written) throw badRequest(`Only one of the choice properties '${written}' and '${type.name}' may be present at ${path}`, p);
    written = type.name;
    if (!element.array) {
      if (Array.isArray(value) || Array.isArray(companion)) throw badRequest(`Property ${p} must not be an array: max cardinality is 1`, p);
      writeOne(w, type, value ?? null, companion ?? null, p);
      continue;
    }
    const values = toArray(value, p);
    const companions = toArray(companion, `${path}._${type.name}`);
    const n = Math.max(values.length, companions.length);
    for (let i = 0; i < n; i++) writeOne(w, type, values[i] ?? null, companions[i] ?? null, `${p}[${i}]`);
  }
}

function toArray(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw badRequest(`Property ${path} must be an array: max cardinality is *`, path);
  return v;
}

function writeOne(w: XmlWriter, type: ChildType, value: unknown, companion: unknown, path: string): void {
  if (type.kind === 'primitive') {
    writePrimitive(w, type, value, companion, path);
    return;
  }
  if (!isObject(value) && type.kind !== 'xhtml') {
    throw badRequest(`Invalid value at ${path}: expected a JSON object, got ${value === null ? 'null' : typeof value}`, path);
  }
  if (type.kind === 'xhtml') {
    w.raw(prepareDivForXml(value, path));
  } else if (type.kind === 'resource') {
    w.open(type.name);
    writeResource(w, value as Json, path, []);
    w.close(type.name);
  } else {
    writeComplex(w, type.name, [], value as Json, getNodeIndex(type.node!), path);
  }
}

function writePrimitive(w: XmlWriter, type: ChildType, value: unknown, companion: unknown, path: string): void {
  if (value === null && companion === null) return;
  const attrs: [string, string][] = [];
  let extensions: unknown[] = [];
  if (companion !== null) {
    if (!isObject(companion)) throw badRequest(`Invalid primitive extension object at ${path}: expected a JSON object`, path);
    for (const key of Object.keys(companion)) {
      if (key !== 'id' && key !== 'extension') throw badRequest(`Unknown property '${key}' in the extension object of ${path}`, path);
    }
    if (companion.id !== undefined) attrs.push(['id', escapeAttribute(formatPrimitive('string', companion.id, `${path}.id`), `${path}.id`)]);
    extensions = toArray(companion.extension, `${path}.extension`);
  }
  if (value !== null) attrs.push(['value', escapeAttribute(formatPrimitive(type.code, value, path), path)]);
  if (!extensions.length) {
    w.empty(type.name, attrs);
    return;
  }
  w.open(type.name, attrs);
  const extIdx = getTypeIndex('Extension');
  extensions.forEach((ext, i) => {
    const p = `${path}.extension[${i}]`;
    if (!isObject(ext)) throw badRequest(`Invalid extension at ${p}: expected a JSON object`, p);
    writeComplex(w, 'extension', [], ext, extIdx, p);
  });
  w.close(type.name);
}
