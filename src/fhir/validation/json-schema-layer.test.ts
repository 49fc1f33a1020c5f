import { describe, expect, test } from 'vitest';
import { pointerToFhirPath, validateJsonSchema } from './json-schema-layer';

describe('pointerToFhirPath', () => {
  test.each([
    ['', 'Patient'],
    ['/birthDate', 'Patient.birthDate'],
    ['/name/0/given/1', 'Patient.name[0].given[1]'],
    ['/contact/2/telecom/0/value', 'Patient.contact[2].telecom[0].value'],
  ])('%s → %s', (pointer, expected) => {
    expect(pointerToFhirPath('Patient', pointer)).toBe(expected);
  });
});

describe('validateJsonSchema', () => {
  test.each([
    ['birthDate not a date', { birthDate: 'not-a-date' }, 'Patient.birthDate', 'value', /valid FHIR date.*"not-a-date"/],
    ['active as a string', { active: 'yes' }, 'Patient.active', 'structure', /boolean.*"yes"/],
    ['given item as a number', { name: [{ given: ['Ann', 2] }] }, 'Patient.name[0].given[1]', 'structure', /string.*got 2/],
    ['name as an object', { name: { family: 'X' } }, 'Patient.name', 'structure', /array.*an object/],
    ['unknown element', { favouriteColour: 'blue' }, 'Patient.favouriteColour', 'structure', /Unknown element 'favouriteColour'/],
    ['unknown nested element', { name: [{ famly: 'X' }] }, 'Patient.name[0].famly', 'structure', /Unknown element 'famly'/],
    ['gender not in enum', { gender: 'mail' }, 'Patient.gender', 'code-invalid', /male, female, other, unknown.*"mail"/],
    ['empty string', { name: [{ family: '' }] }, 'Patient.name[0].family', 'value', /string/],
    ['fraction for an integer', { multipleBirthInteger: 1.5 }, 'Patient.multipleBirthInteger', 'structure', /integer.*1\.5/],
  ])('%s', (_label, body, expression, code, message) => {
    const issues = validateJsonSchema({ resourceType: 'Patient', ...body }, 'Patient');
    const hit = issues.find((i) => i.expression?.[0] === expression);
    expect(hit, JSON.stringify(issues)).toBeDefined();
    expect(hit!.code).toBe(code);
    expect(hit!.severity).toBe('error');
    expect(hit!.diagnostics).toMatch(message);
  });

  test('positiveInt must be at least 1', () => {
    const issues = validateJsonSchema(
      { resourceType: 'Immunization', protocolApplied: [{ doseNumberPositiveInt: 0 }] },
      'Immunization',
    );
    const hit = issues.find((i) => i.expression?.[0] === 'Immunization.protocolApplied[0].doseNumberPositiveInt');
    expect(hit?.diagnostics).toMatch(/positiveInt >= 1 but got 0/);
  });

  test('a wrong JSON type is reported once (not also as a pattern mismatch)', () => {
    const issues = validateJsonSchema({ resourceType: 'Patient', active: 'yes' }, 'Patient');
    expect(issues).toHaveLength(1);
  });

  test('nulls paired with _given extensions are legal', () => {
    const issues = validateJsonSchema(
      { resourceType: 'Patient', name: [{ given: ['Ann', null], _given: [null, { extension: [{ url: 'http://x', valueString: 'y' }] }] }] },
      'Patient',
    );
    expect(issues).toEqual([]);
  });

  test('a null with nothing paired is reported', () => {
    const issues = validateJsonSchema({ resourceType: 'Patient', name: [{ given: ['Ann', null] }] }, 'Patient');
    expect(issues.map((i) => i.expression?.[0])).toContain('Patient.name[0].given[1]');
  });

  test('embedded resources are not expanded into the oneOf (validated separately)', () => {
    const issues = validateJsonSchema({ resourceType: 'Patient', contained: [{ resourceType: 'Organization', bogus: 1 }] }, 'Patient');
    expect(issues).toEqual([]);
  });

  test('a valid resource has no issues and uses the given location prefix', () => {
    expect(validateJsonSchema({ resourceType: 'Patient', birthDate: '1970-01-01' }, 'Patient')).toEqual([]);
    const issues = validateJsonSchema({ resourceType: 'Patient', active: 1 }, 'Patient', 'Bundle.entry[0].resource');
    expect(issues[0].expression).toEqual(['Bundle.entry[0].resource.active']);
  });
});
