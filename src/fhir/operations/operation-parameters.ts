import type { ParametersParameter } from 'fhir/r4';
import { badRequest } from '../../shared/fhir-error';
import type { OperationCall } from '../rest/request-context';

/**
 * Reading an operation's input Parameters (http://hl7.org/fhir/R4/operations.html): the same
 * checks and messages for every operation, whether the values came from the query string
 * (valueString) or a POSTed Parameters resource (typed values).
 */

/** The FHIRPath location of a named input parameter, for OperationOutcome expressions. */
export const parameterPath = (name: string) => `Parameters.parameter.where(name = '${name}')`;

/** Every parameter named `name`. */
export function parametersNamed(call: OperationCall, name: string): ParametersParameter[] {
  return (call.parameters.parameter ?? []).filter((p) => p.name === name);
}

/** The parameter named `name`, which may appear at most once (400 if repeated). */
export function singleParameter(call: OperationCall, name: string): ParametersParameter | undefined {
  const values = parametersNamed(call, name);
  if (values.length > 1) throw badRequest(`Parameter '${name}' may appear once, got ${values.length}`, parameterPath(name));
  return values[0];
}

/** Rejects (400) any parameter not in `allowed`, so a misspelt name is never silently ignored. */
export function rejectUnknownParameters(call: OperationCall, allowed: ReadonlySet<string>, operation: string): void {
  for (const p of call.parameters.parameter ?? []) {
    if (!allowed.has(p.name) && p.name !== '_format' && p.name !== '_pretty') {
      throw badRequest(`Unknown parameter '${p.name}' for $${operation}: expected ${[...allowed].join(', ')}`, parameterPath(p.name));
    }
  }
}

/** A scalar parameter as text (string, code, uri, date, id, integer or boolean value). */
export function stringParameter(call: OperationCall, name: string): string | undefined {
  const p = singleParameter(call, name);
  if (!p) return undefined;
  const v =
    p.valueString ?? p.valueCode ?? p.valueUri ?? p.valueCanonical ?? p.valueDate ?? p.valueId ??
    (p.valueInteger !== undefined ? String(p.valueInteger) : undefined) ?? (p.valueBoolean !== undefined ? String(p.valueBoolean) : undefined);
  if (v === undefined || v === '') throw badRequest(`Parameter '${name}' has no value: expected a string value`, parameterPath(name));
  return v;
}

/** A boolean parameter (valueBoolean, or "true"/"false" from the query string). */
export function booleanParameter(call: OperationCall, name: string): boolean | undefined {
  const p = singleParameter(call, name);
  if (!p) return undefined;
  if (p.valueBoolean !== undefined) return p.valueBoolean;
  if (p.valueString === 'true' || p.valueString === 'false') return p.valueString === 'true';
  throw badRequest(`${name}: expected a boolean (true or false), got ${JSON.stringify(p.valueString ?? p)}`, parameterPath(name));
}

/** An integer parameter within min..max. */
export function integerParameter(call: OperationCall, name: string, min: number, max: number): number | undefined {
  const p = singleParameter(call, name);
  if (!p) return undefined;
  const n = p.valueInteger ?? p.valuePositiveInt ?? p.valueUnsignedInt ?? (p.valueString !== undefined && /^\d+$/.test(p.valueString) ? Number(p.valueString) : undefined);
  if (n === undefined || !Number.isInteger(n) || n < min || n > max) {
    throw badRequest(`${name}: expected an integer ${min}..${max}, got ${JSON.stringify(p.valueString ?? p.valueInteger)}`, parameterPath(name));
  }
  return n;
}
