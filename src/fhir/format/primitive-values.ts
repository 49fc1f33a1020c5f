import { badRequest } from '../../shared/fhir-error';

/**
 * Conversion of FHIR primitive values between their XML lexical form (the `value` attribute) and
 * their JSON form (http://hl7.org/fhir/R4/datatypes.html#primitive, http://hl7.org/fhir/R4/json.html#primitive).
 *
 * Decimals become JSON numbers: JSON cannot carry trailing zeros in a number, so "1.50" in XML
 * becomes 1.5 in JSON and is written back as "1.5" (value preserved, written precision not).
 * An empty `value=""` is accepted for string-like types (kept as "") although FHIR forbids empty
 * values, so that JSON carrying "" (seen in real data) round-trips; booleans and numbers reject it.
 */

const INTEGER_RE = /^-?(0|[1-9][0-9]*)$/;
const DECIMAL_RE = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

const NUMERIC_MIN: Record<string, number> = { integer: INT_MIN, unsignedInt: 0, positiveInt: 1 };

/** True if the FHIR primitive type is represented as a JSON number. */
export function isNumericType(code: string): boolean {
  return code === 'decimal' || code in NUMERIC_MIN;
}

/** Parses an XML `value` attribute into its JSON value per the primitive type; throws FhirError 400 naming `path`. */
export function parsePrimitive(code: string, raw: string, path: string): string | number | boolean {
  if (code === 'boolean') {
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    throw badRequest(`Invalid boolean at ${path}: expected 'true' or 'false', got '${raw}'`, path);
  }
  if (code in NUMERIC_MIN) {
    const n = Number(raw);
    if (!INTEGER_RE.test(raw) || n < NUMERIC_MIN[code] || n > INT_MAX) {
      throw badRequest(`Invalid ${code} at ${path}: expected a whole number in range ${NUMERIC_MIN[code]}..${INT_MAX}, got '${raw}'`, path);
    }
    return n;
  }
  if (code === 'decimal') {
    const n = Number(raw);
    if (!DECIMAL_RE.test(raw) || !Number.isFinite(n)) {
      throw badRequest(`Invalid decimal at ${path}: got '${raw}'`, path);
    }
    return n;
  }
  return raw;
}

/** Formats a JSON primitive value as the XML `value` attribute text; throws FhirError 400 when the JSON type is wrong. */
export function formatPrimitive(code: string, value: unknown, path: string): string {
  if (code === 'boolean') {
    if (typeof value !== 'boolean') throw badRequest(`Invalid boolean at ${path}: expected true or false, got ${JSON.stringify(value)}`, path);
    return String(value);
  }
  if (isNumericType(code)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw badRequest(`Invalid ${code} at ${path}: expected a JSON number, got ${JSON.stringify(value)}`, path);
    }
    if (code !== 'decimal' && !Number.isInteger(value)) throw badRequest(`Invalid ${code} at ${path}: expected a whole number, got ${value}`, path);
    return String(value);
  }
  if (typeof value !== 'string') throw badRequest(`Invalid ${code} at ${path}: expected a JSON string, got ${JSON.stringify(value)}`, path);
  return value;
}
