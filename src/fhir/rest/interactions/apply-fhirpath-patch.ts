import fhirpath from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4';
import type { Parameters, ParametersParameter, Resource } from 'fhir/r4';
import { FhirError, issue } from '../../../shared/fhir-error';
import { isRepeatingElement } from '../../model/element-cardinality';

/** FHIRPath Patch (http://hl7.org/fhir/R4/fhirpatch.html): applies a Parameters of operations to a copy of `resource`. */
export function applyFhirPathPatch(resource: Resource, patch: Parameters): Resource {
  const target = structuredClone(resource) as Resource;
  const operations = (patch.parameter ?? []).filter((p) => p.name === 'operation');
  if (operations.length === 0) throw invalid('FHIRPath Patch has no "operation" parameter', 'Parameters.parameter');
  operations.forEach((op, i) => applyOperation(target, op, `Parameters.parameter[${i}]`));
  return target;
}

interface Node {
  data: unknown;
  propName: string | null;
  index: number | null;
  parentResNode: Node | null;
}

function invalid(message: string, expression: string): FhirError {
  return new FhirError(400, issue('invalid', message, expression));
}

function part(op: ParametersParameter, name: string): ParametersParameter | undefined {
  return op.part?.find((p) => p.name === name);
}

function partString(op: ParametersParameter, name: string, where: string, required = true): string | undefined {
  const p = part(op, name);
  const v = p?.valueString ?? p?.valueCode ?? (p?.valueInteger !== undefined ? String(p.valueInteger) : undefined);
  if (v === undefined && required) throw invalid(`FHIRPath Patch operation is missing '${name}'`, where);
  return v;
}

/** The value of the `value` part: a value[x], a resource, or (for complex types) nested parts. */
function partValue(op: ParametersParameter, where: string): unknown {
  const p = part(op, 'value');
  if (!p) throw invalid("FHIRPath Patch operation is missing 'value'", where);
  if (p.resource) return p.resource;
  const key = Object.keys(p).find((k) => k.startsWith('value'));
  if (key) return (p as unknown as Record<string, unknown>)[key];
  if (p.part) return Object.fromEntries(p.part.map((sub) => [sub.name, partValue({ name: 'op', part: [{ ...sub, name: 'value' }] }, where)]));
  throw invalid("FHIRPath Patch 'value' has no value", where);
}

function select(target: Resource, path: string, where: string): Node[] {
  try {
    return fhirpath.evaluate(target, path, undefined, r4Model, { resolveInternalTypes: false }) as unknown as Node[];
  } catch (err) {
    throw invalid(`FHIRPath Patch path '${path}' is not a valid FHIRPath expression: ${(err as Error).message}`, where);
  }
}

function single(nodes: Node[], path: string, where: string): Node {
  if (nodes.length !== 1) throw invalid(`FHIRPath Patch path '${path}' must select exactly one element, found ${nodes.length}`, where);
  return nodes[0];
}

function holder(node: Node, path: string, where: string): Record<string, unknown> {
  const parent = node.parentResNode?.data;
  if (!parent || typeof parent !== 'object' || !node.propName) throw invalid(`FHIRPath Patch path '${path}' does not select an element that can be changed`, where);
  return parent as Record<string, unknown>;
}

function applyOperation(target: Resource, op: ParametersParameter, where: string): void {
  const type = partString(op, 'type', where)!;
  const path = partString(op, 'path', where)!;
  switch (type) {
    case 'add': {
      const name = partString(op, 'name', where)!;
      const node = single(select(target, path, where), path, where);
      const obj = node.data as Record<string, unknown>;
      if (!obj || typeof obj !== 'object') throw invalid(`FHIRPath Patch add: '${path}' is not a complex element`, where);
      const value = partValue(op, where);
      const existing = obj[name];
      if (Array.isArray(existing)) existing.push(value);
      else if (existing === undefined && isRepeating(target, path, name)) obj[name] = [value];
      else obj[name] = value;
      return;
    }
    case 'insert': {
      const nodes = select(target, path, where);
      const index = Number(partString(op, 'index', where));
      const value = partValue(op, where);
      const list = listOf(target, nodes, path, where);
      if (!Number.isInteger(index) || index < 0 || index > list.length) throw invalid(`FHIRPath Patch insert index ${index} is out of range 0..${list.length}`, where);
      list.splice(index, 0, value);
      return;
    }
    case 'delete': {
      const nodes = select(target, path, where);
      if (nodes.length === 0) return;
      const node = single(nodes, path, where);
      const obj = holder(node, path, where);
      const current = obj[node.propName!];
      if (Array.isArray(current) && node.index !== null) {
        current.splice(node.index, 1);
        if (current.length === 0) delete obj[node.propName!];
      } else delete obj[node.propName!];
      return;
    }
    case 'replace': {
      const node = single(select(target, path, where), path, where);
      const obj = holder(node, path, where);
      const value = partValue(op, where);
      const current = obj[node.propName!];
      if (Array.isArray(current) && node.index !== null) current[node.index] = value;
      else obj[node.propName!] = value;
      return;
    }
    case 'move': {
      const list = listOf(target, select(target, path, where), path, where);
      const source = Number(partString(op, 'source', where));
      const destination = Number(partString(op, 'destination', where));
      if (![source, destination].every((n) => Number.isInteger(n) && n >= 0 && n < list.length)) {
        throw invalid(`FHIRPath Patch move indexes out of range 0..${list.length - 1}`, where);
      }
      const [item] = list.splice(source, 1);
      list.splice(destination, 0, item);
      return;
    }
    default:
      throw invalid(`FHIRPath Patch operation type '${type}' is not one of add, insert, delete, replace, move`, where);
  }
}

/** The array behind a path that selects a list (possibly empty), for insert/move. */
function listOf(target: Resource, nodes: Node[], path: string, where: string): unknown[] {
  if (nodes.length > 0) {
    const obj = holder(nodes[0], path, where);
    const list = obj[nodes[0].propName!];
    if (Array.isArray(list)) return list;
    throw invalid(`FHIRPath Patch path '${path}' does not select a repeating element`, where);
  }
  const dot = path.lastIndexOf('.');
  const parent = single(select(target, path.slice(0, dot), where), path.slice(0, dot), where).data as Record<string, unknown>;
  const name = path.slice(dot + 1);
  parent[name] = [];
  return parent[name] as unknown[];
}

/** Whether `name` under the element at `path` repeats, from the R4 definitions. */
function isRepeating(target: Resource, path: string, name: string): boolean {
  const base = path.replace(/\[[^\]]*\]|\.where\([^)]*\)|\.first\(\)|\.last\(\)/g, '');
  const full = `${base}.${name}`.replace(/^[A-Za-z]+/, target.resourceType);
  return full.split('.').length === 1 ? false : isRepeatingElement(full);
}
