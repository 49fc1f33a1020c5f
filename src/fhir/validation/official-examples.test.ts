import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createValidator } from './index';

const dir = 'test/fixtures/fhir-examples/json';
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const validator = createValidator({ profilesDir: 'fhir-profiles' });

/**
 * Errors that are genuinely in the example files (checked by hand against the R4 definitions), as
 * "code expression". Every other example must validate with zero errors.
 */
const KNOWN_DATA_ERRORS: Record<string, string[]> = {
  // R4 MedicationRequest.dispenseRequest.performer is Reference(Organization); the example points at a Practitioner.
  'medicationrequest0301.json': ['structure MedicationRequest.dispenseRequest.performer'],
  // A negative example: the contained Organization has only an id (org-1 requires a name or an
  // identifier) and managingOrganization says "1" instead of "#1", so nothing refers to it (dom-3).
  'patient-container-example.json': ['invariant Patient.contained[0]', 'invariant Patient'],
  // Microsoft test data: two entries share fullUrl http://example.org/fhir/Patient/123 without versionIds (bdl-7).
  'msfhir-Bundle-Batch.json': ['invariant Bundle'],
  // Microsoft test data: ImagingStudy.series.modality and series.instance.sopClass are 1..1 in R4 but absent.
  'msfhir-Bundle-TransactionWithConditionalCreateAndReference.json': [
    'required Bundle.entry[1].resource.series[0].modality',
    'required Bundle.entry[1].resource.series[0].instance[0].sopClass',
  ],
  'msfhir-Bundle-TransactionWithConditionalUpdateAndReference.json': [
    'required Bundle.entry[1].resource.series[0].modality',
    'required Bundle.entry[1].resource.series[0].instance[0].sopClass',
  ],
};

describe('official R4 examples', () => {
  test('the fixture directory holds the examples', () => {
    expect(files.length).toBeGreaterThanOrEqual(39);
  });

  test.each(files)('%s has no errors beyond its known data errors', (file) => {
    const resource = JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown;
    const issues = validator.validate(resource);
    const found = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal').map((i) => `${i.code} ${i.expression?.[0] ?? ''}`);
    expect(found.sort(), JSON.stringify(issues, null, 1)).toEqual((KNOWN_DATA_ERRORS[file] ?? []).slice().sort());
  });

  test('a valid example declaring a Tessera profile it does not meet is rejected by the profile only', () => {
    const example = JSON.parse(readFileSync(join(dir, 'immunization-example.json'), 'utf8')) as Record<string, unknown>;
    const issues = validator.validate({ ...example, meta: { profile: ['https://tessera.health/fhir/StructureDefinition/tessera-immunization'] } });
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.every((i) => i.diagnostics?.includes('(profile https://tessera.health/fhir/StructureDefinition/tessera-immunization)'))).toBe(true);
  });
});
