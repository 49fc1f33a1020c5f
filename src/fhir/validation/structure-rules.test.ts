import type { OperationOutcomeIssue } from 'fhir/r4';
import { describe, expect, test } from 'vitest';
import { createValidator } from './index';

const validator = createValidator({ profilesDir: 'fhir-profiles' });
const errors = (issues: OperationOutcomeIssue[]) => issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');

/** Layer 2 (base StructureDefinition rules) through the public validator. */
describe('base StructureDefinition rules', () => {
  test.each([
    ['missing required (Observation.status, code)', { resourceType: 'Observation' }, 'Observation.status', 'required', /at least 1 but got 0/],
    ['missing required inside a backbone element', { resourceType: 'Patient', link: [{ type: 'seealso' }] }, 'Patient.link[0].other', 'required', /Patient\.link\.other expects at least 1/],
    ['missing required inside a data type', { resourceType: 'Patient', extension: [{ valueString: 'x' }] }, 'Patient.extension[0].url', 'required', /url/],
    ['bad code for a required binding', { resourceType: 'Patient', gender: 'mail' }, 'Patient.gender', 'code-invalid', /administrative-gender.*"mail"/],
    ['bad Coding in a required CodeableConcept', { resourceType: 'Condition', subject: { reference: 'Patient/1' }, clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'gone' }] } }, 'Condition.clinicalStatus', 'code-invalid', /condition-clinical\|gone/],
    ['wrong reference target type', { resourceType: 'Patient', generalPractitioner: [{ reference: 'Observation/123' }] }, 'Patient.generalPractitioner[0]', 'structure', /Organization \| Practitioner \| PractitionerRole but got Observation/],
    ['wrong reference target type (absolute URL)', { resourceType: 'Patient', managingOrganization: { reference: 'https://fhir.example.org/r4/Patient/9/_history/2' } }, 'Patient.managingOrganization', 'structure', /must reference Organization but got Patient/],
    ['wrong contained reference target type', { resourceType: 'Patient', contained: [{ resourceType: 'Practitioner', id: 'p1', name: [{ family: 'X' }] }], managingOrganization: { reference: '#p1' } }, 'Patient.managingOrganization', 'structure', /but got Practitioner \("#p1"\)/],
    ['wrong Reference.type without a literal reference', { resourceType: 'Patient', managingOrganization: { type: 'Patient', identifier: { value: '1' } } }, 'Patient.managingOrganization', 'structure', /but got Patient/],
    ['error inside a contained resource', { resourceType: 'Patient', contained: [{ resourceType: 'Observation', id: 'o' }], generalPractitioner: [{ reference: '#o' }] }, 'Patient.contained[0].status', 'required', /Observation\.status/],
    ['error inside a Bundle entry', { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Patient', gender: 'x' } }] }, 'Bundle.entry[0].resource.gender', 'code-invalid', /"x"/],
    ['schema error inside a Bundle entry', { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Patient', active: 'yes' } }] }, 'Bundle.entry[0].resource.active', 'structure', /boolean/],
    ['embedded resource with an unknown type', { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Patientt' } }] }, 'Bundle.entry[0].resource.resourceType', 'not-supported', /"Patientt"/],
  ])('%s', (_label, resource, expression, code, message) => {
    const issues = validator.validate(resource);
    const hit = errors(issues).find((i) => i.expression?.[0] === expression && i.code === code);
    expect(hit, JSON.stringify(issues, null, 1)).toBeDefined();
    expect(hit!.diagnostics).toMatch(message);
  });

  test.each([
    ['relative reference of an allowed type', { resourceType: 'Patient', generalPractitioner: [{ reference: 'Practitioner/1' }] }],
    ['urn:uuid references are not type-checked', { resourceType: 'Patient', generalPractitioner: [{ reference: 'urn:uuid:0b0e9e0c-3e57-4c8a-bf35-a7cf0b2c4d55' }] }],
    ['conditional references are not type-checked', { resourceType: 'Patient', generalPractitioner: [{ reference: 'Organization?identifier=x|1' }] }],
    ['contained reference of an allowed type', { resourceType: 'Patient', contained: [{ resourceType: 'Organization', id: 'o1', name: 'Clinic' }], managingOrganization: { reference: '#o1' } }],
    ['any type where the target is Resource', { resourceType: 'Observation', status: 'final', code: { text: 'x' }, focus: [{ reference: 'Medication/1' }] }],
    ['code from an expanded value set', { resourceType: 'Patient', gender: 'other', name: [{ use: 'official' }] }],
    ['CodeableConcept with only text under a required binding', { resourceType: 'Condition', subject: { reference: 'Patient/1' }, clinicalStatus: { text: 'active' } }],
    ['a preferred binding is not enforced', { resourceType: 'Patient', communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'xx-made-up' }] } }] }],
    ['a required value set that cannot be expanded offline (mimetypes) is not enforced', { resourceType: 'Patient', photo: [{ contentType: 'made/up' }] }],
    ['primitive extension without a value (_birthDate)', { resourceType: 'Patient', _birthDate: { extension: [{ url: 'http://x', valueString: 'unknown' }] } }],
  ])('no error: %s', (_label, resource) => {
    expect(errors(validator.validate(resource))).toEqual([]);
  });

  test('a choice type the element does not allow is reported', () => {
    const issues = validator.validate({ resourceType: 'Patient', deceasedString: 'yes' });
    expect(errors(issues)).toHaveLength(1);
    expect(errors(issues)[0]).toMatchObject({ code: 'structure', expression: ['Patient.deceasedString'] });
    expect(errors(issues)[0].diagnostics).toMatch(/boolean, dateTime but got String/);
  });

  test('required and enum findings are reported once, not again by the schema', () => {
    const issues = validator.validate({ resourceType: 'Patient', gender: 'mail' });
    expect(issues).toHaveLength(1);
  });

  test('missing resourceType and unknown resourceType are clear errors', () => {
    expect(validator.validate({ id: '1' })).toEqual([expect.objectContaining({ severity: 'error', code: 'required', expression: ['resourceType'] })]);
    expect(validator.validate({ resourceType: 'patient' })[0].diagnostics).toMatch(/R4 resource type but got "patient"/);
    expect(validator.validate('Patient')[0].diagnostics).toMatch(/JSON object/);
    expect(validator.validate([])[0].code).toBe('structure');
  });
});

describe('malformed input never crashes the validator', () => {
  test.each([
    ['arrays where objects are expected', { resourceType: 'Patient', meta: [], text: [1], managingOrganization: ['x'] }],
    ['objects where primitives are expected', { resourceType: 'Patient', birthDate: { y: 1 }, gender: ['male'] }],
    ['nulls everywhere', { resourceType: 'Patient', name: null, contact: [null], _birthDate: null, extension: [null] }],
    ['non-object contained and entries', { resourceType: 'Bundle', type: 'collection', entry: ['x', { resource: 5 }, { resource: [] }] }],
    ['contained without resourceType', { resourceType: 'Patient', contained: [{ id: 'a' }] }],
    ['reference that is not a string', { resourceType: 'Patient', managingOrganization: { reference: 42 } }],
    ['deeply nested Questionnaire items', { resourceType: 'Questionnaire', status: 'draft', item: [{ linkId: '1', type: 'group', item: [{ linkId: '1.1', type: 'group', item: [{ linkId: '1.1.1', type: 'boolean' }] }] }] }],
    ['Parameters with nested parts and resources', { resourceType: 'Parameters', parameter: [{ name: 'a', part: [{ name: 'b', resource: { resourceType: 'Patient', gender: 'x' } }] }] }],
  ])('%s', (_label, resource) => {
    const issues = validator.validate(resource);
    expect(Array.isArray(issues)).toBe(true);
    for (const i of issues) {
      expect(['error', 'warning', 'information', 'fatal']).toContain(i.severity);
      expect(typeof i.diagnostics).toBe('string');
    }
  });

  test('errors inside Parameters.parameter.part (contentReference) resources are found', () => {
    const issues = validator.validate({ resourceType: 'Parameters', parameter: [{ name: 'a', part: [{ name: 'b', resource: { resourceType: 'Patient', gender: 'x' } }] }] });
    expect(issues.map((i) => i.expression?.[0])).toContain('Parameters.parameter[0].part[0].resource.gender');
  });
});
