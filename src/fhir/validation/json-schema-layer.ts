import { createRequire } from 'node:module';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { OperationOutcomeIssue } from 'fhir/r4';
import { getJsonSchema } from '../model/definitions';
import { describeValue, validationIssue } from './issues';

const require = createRequire(import.meta.url);
const SCHEMA_ID = 'http://hl7.org/fhir/json-schema/4.0';

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

/**
 * One Ajv instance holding fhir.schema.json (draft-06, http://hl7.org/fhir/R4/json.html#schema).
 * The top-level oneOf/discriminator is dropped (we pick the definition of the body's resourceType)
 * and ResourceList (every embedded resource) becomes "any object": embedded resources are validated
 * on their own, so their errors stay small and precise.
 */
function getAjv(): Ajv {
  if (!ajv) {
    const source = getJsonSchema() as { definitions: Record<string, unknown>; $schema: string };
    const schema = {
      $schema: source.$schema,
      $id: SCHEMA_ID,
      definitions: { ...(fixIntegerTypes(source.definitions) as Record<string, unknown>), ResourceList: { type: 'object' } },
    };
    ajv = new Ajv({ allErrors: true, verbose: true, strict: false, validateFormats: false, unicodeRegExp: false });
    ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as Record<string, unknown>);
    ajv.addSchema(schema);
  }
  return ajv;
}

const MAX_INT = 2147483647;

/**
 * The R4 schema types integer, positiveInt and unsignedInt (also where inlined in properties) as
 * "number" with a pattern, which JSON numbers never meet, so 1.5 or 0 would pass. Returns a copy
 * with the spec's rules (http://hl7.org/fhir/R4/datatypes.html#primitive) as JSON-schema integers.
 */
function fixIntegerTypes(definitions: Record<string, unknown>): unknown {
  const byPattern = new Map<string, Record<string, unknown>>();
  const defs = definitions as Record<string, { pattern?: string }>;
  const ranges: Array<[string, number]> = [['integer', -MAX_INT - 1], ['positiveInt', 1], ['unsignedInt', 0]];
  for (const [name, minimum] of ranges) {
    const pattern = defs[name]?.pattern;
    if (pattern) byPattern.set(pattern, { type: 'integer', minimum, maximum: MAX_INT, fhirType: name });
  }
  const fix = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(fix);
    if (node === null || typeof node !== 'object') return node;
    const obj = node as Record<string, unknown>;
    if (obj.type === 'number' && typeof obj.pattern === 'string' && byPattern.has(obj.pattern)) {
      return { description: obj.description, ...byPattern.get(obj.pattern) };
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fix(v)]));
  };
  return fix(definitions);
}

/** The compiled validator of one resource type's definition, compiled once per process. */
function validatorFor(resourceType: string): ValidateFunction {
  let fn = compiled.get(resourceType);
  if (!fn) {
    fn = getAjv().compile({ $ref: `${SCHEMA_ID}#/definitions/${resourceType}` });
    compiled.set(resourceType, fn);
  }
  return fn;
}

/** Turns an Ajv instancePath ("/name/0/given/1") into a FHIRPath location ("Patient.name[0].given[1]"). */
export function pointerToFhirPath(prefix: string, pointer: string): string {
  let out = prefix;
  if (!pointer) return out;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : `.${seg}`;
  }
  return out;
}

/** Reads the value at a JSON pointer. */
function valueAt(root: unknown, pointer: string): unknown {
  let cur: unknown = root;
  if (!pointer) return cur;
  for (const seg of pointer.slice(1).split('/')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/**
 * A null inside a primitive array is legal when the sibling array (`given` / `_given`) carries
 * something at that index (http://hl7.org/fhir/R4/json.html#primitive); the schema does not know that.
 */
function isAllowedPrimitiveNull(root: unknown, pointer: string): boolean {
  const m = /^(.*)\/(_?)([A-Za-z0-9]+)\/(\d+)$/.exec(pointer);
  if (!m || valueAt(root, pointer) !== null) return false;
  const [, parent, underscore, name, index] = m;
  const sibling = valueAt(root, `${parent}/${underscore ? '' : '_'}${name}`);
  return Array.isArray(sibling) && sibling[Number(index)] !== null && sibling[Number(index)] !== undefined;
}

/** The FHIR type an error's schema location belongs to (e.g. "date" for #/definitions/date/pattern). */
function fhirTypeOf(schemaPath: string): string | undefined {
  return /definitions\/([^/]+)\/[^/]+$/.exec(schemaPath)?.[1];
}

function mapError(e: ErrorObject, prefix: string): OperationOutcomeIssue {
  const at = pointerToFhirPath(prefix, e.instancePath);
  const got = describeValue(e.data);
  const fhirType = ((e.parentSchema as Record<string, unknown> | undefined)?.fhirType as string | undefined) ?? fhirTypeOf(e.schemaPath);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return validationIssue('structure', `Unknown element '${String(params.additionalProperty)}': it is not defined for this type in FHIR R4`, `${at}.${String(params.additionalProperty)}`);
    case 'required':
      return validationIssue('required', `Missing required element '${String(params.missingProperty)}'`, `${at}.${String(params.missingProperty)}`);
    case 'type': {
      const expected = fhirType && /^[a-z]/.test(fhirType) ? `a FHIR ${fhirType} (JSON ${String(params.type)})` : `JSON ${String(params.type)}`;
      return validationIssue('structure', `Wrong type: expected ${expected} but got ${got}`, at);
    }
    case 'pattern':
      return validationIssue('value', `Invalid value: expected a valid FHIR ${fhirType ?? 'value'} (pattern ${String(params.pattern)}) but got ${got}`, at);
    case 'enum':
      return validationIssue('code-invalid', `Invalid code: expected one of ${(params.allowedValues as unknown[]).join(', ')} but got ${got}`, at);
    case 'minimum':
    case 'maximum':
      return validationIssue('value', `Invalid value: expected a FHIR ${fhirType ?? 'number'} ${e.keyword === 'minimum' ? '>=' : '<='} ${String(params.limit)} but got ${got}`, at);
    case 'const':
      return validationIssue('value', `Invalid value: expected ${JSON.stringify(params.allowedValue)} but got ${got}`, at);
    default:
      return validationIssue('structure', `Invalid content: ${e.message ?? e.keyword} (got ${got})`, at);
  }
}

/**
 * Layer 1: validates one resource (whose resourceType is a known R4 type) against its definition in
 * the R4 JSON schema. `location` is the FHIRPath of the resource (e.g. "Bundle.entry[0].resource").
 */
export function validateJsonSchema(resource: Record<string, unknown>, resourceType: string, location: string = resourceType): OperationOutcomeIssue[] {
  const fn = validatorFor(resourceType);
  if (fn(resource)) return [];
  const issues: OperationOutcomeIssue[] = [];
  const errors = fn.errors ?? [];
  const wrongType = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  for (const e of errors) {
    if (e.keyword === 'type' && isAllowedPrimitiveNull(resource, e.instancePath)) continue;
    // A value of the wrong JSON type also fails the primitive's pattern: report it once.
    if (e.keyword === 'pattern' && wrongType.has(e.instancePath)) continue;
    issues.push(mapError(e, location));
  }
  return issues;
}
