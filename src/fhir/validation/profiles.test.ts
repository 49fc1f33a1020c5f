import type { OperationOutcomeIssue } from 'fhir/r4';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createValidator } from './index';

const SD = 'https://tessera.health/fhir/StructureDefinition/';
const TEST_SD = 'https://tessera.health/fhir/test/StructureDefinition/';
const validator = createValidator({ profilesDir: 'fhir-profiles' });
const testValidator = createValidator({ profilesDir: 'test/fixtures/validation/profiles' });
const errors = (issues: OperationOutcomeIssue[]) => issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
const withProfile = <T extends object>(url: string, r: T) => ({ ...r, meta: { profile: [url] } });

const patient = {
  resourceType: 'Patient',
  identifier: [{ system: 'https://clinic-a.example/mrn', value: '123' }],
  name: [{ family: 'Chalmers', given: ['Peter'] }],
  birthDate: '1974-12-25',
};
const immunization = {
  resourceType: 'Immunization',
  status: 'completed',
  vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '140' }] },
  patient: { reference: 'Patient/1' },
  occurrenceDateTime: '2024-10-01T10:00:00Z',
  performer: [{ actor: { reference: 'Organization/clinic-a' } }],
};
const appointment = {
  resourceType: 'Appointment',
  status: 'booked',
  start: '2024-10-01T10:00:00Z',
  end: '2024-10-01T10:15:00Z',
  participant: [{ actor: { reference: 'Patient/1' }, status: 'accepted' }],
};
const medicationRequest = {
  resourceType: 'MedicationRequest',
  status: 'active',
  intent: 'order',
  medicationCodeableConcept: { text: 'Paracetamol 500mg' },
  subject: { reference: 'Patient/1' },
  authoredOn: '2024-10-01',
  requester: { reference: 'Practitioner/1' },
};

describe('Tessera profiles', () => {
  test('all four profiles are loaded', () => {
    expect(validator.profileUrls()).toEqual([`${SD}tessera-appointment`, `${SD}tessera-immunization`, `${SD}tessera-medicationrequest`, `${SD}tessera-patient`]);
  });

  test.each([
    ['tessera-patient', patient],
    ['tessera-immunization', immunization],
    ['tessera-appointment', appointment],
    ['tessera-medicationrequest', medicationRequest],
  ])('a conforming instance passes %s (via meta.profile and via options.profiles)', (name, resource) => {
    expect(validator.validate(withProfile(SD + name, resource))).toEqual([]);
    expect(validator.validate(resource, { profiles: [SD + name] })).toEqual([]);
  });

  test.each<[string, string, object, string, string, RegExp, boolean?]>([
    ['tessera-patient', 'no identifier', { ...patient, identifier: undefined }, 'Patient.identifier', 'required', /Patient\.identifier expects at least 1 but got 0 \(profile .*tessera-patient\)/],
    ['tessera-patient', 'identifier without system', { ...patient, identifier: [{ system: 'https://a', value: '1' }, { value: '2' }] }, 'Patient.identifier[1].system', 'required', /Patient\.identifier\.system/],
    ['tessera-patient', 'no name', { ...patient, name: undefined }, 'Patient.name', 'required', /Patient\.name/],
    ['tessera-patient', 'no birthDate', { ...patient, birthDate: undefined }, 'Patient.birthDate', 'required', /Patient\.birthDate/],
    ['tessera-immunization', 'no CVX coding', { ...immunization, vaccineCode: { coding: [{ system: 'http://snomed.info/sct', code: '1' }] } }, 'Immunization.vaccineCode', 'value', /patternCodeableConcept.*cvx/],
    ['tessera-immunization', 'occurrenceString instead of a dateTime', { ...immunization, occurrenceDateTime: undefined, occurrenceString: 'last week' }, 'Immunization.occurrenceString', 'structure', /must be one of dateTime but got String/],
    ['tessera-immunization', 'no occurrence', { ...immunization, occurrenceDateTime: undefined }, 'Immunization.occurrence[x]', 'required', /at least 1/, false],
    ['tessera-immunization', 'no performer', { ...immunization, performer: undefined }, 'Immunization.performer', 'required', /Immunization\.performer/],
    ['tessera-immunization', 'only a Practitioner performs (no clinic)', { ...immunization, performer: [{ actor: { reference: 'Practitioner/1' } }] }, 'Immunization', 'invariant', /tessera-imm-1/],
    ['tessera-appointment', 'no end', { ...appointment, end: undefined }, 'Appointment.end', 'required', /Appointment\.end/, false],
    ['tessera-appointment', 'end before start', { ...appointment, end: '2024-10-01T09:00:00Z' }, 'Appointment', 'invariant', /tessera-apt-1: The appointment SHALL end after it starts/],
    ['tessera-appointment', 'participant without actor', { ...appointment, participant: [{ type: [{ text: 'nurse' }], status: 'accepted' }] }, 'Appointment.participant[0].actor', 'required', /participant\.actor/],
    ['tessera-medicationrequest', 'subject is a Group', { ...medicationRequest, subject: { reference: 'Group/1' } }, 'MedicationRequest.subject', 'structure', /must reference Patient but got Group/],
    ['tessera-medicationrequest', 'no authoredOn', { ...medicationRequest, authoredOn: undefined }, 'MedicationRequest.authoredOn', 'required', /authoredOn/],
    ['tessera-medicationrequest', 'no requester', { ...medicationRequest, requester: undefined }, 'MedicationRequest.requester', 'required', /requester/],
  ])('%s: %s', (name, _label, resource, expression, code, message, validBaseR4 = true) => {
    const issues = validator.validate(withProfile(SD + name, resource));
    const hit = errors(issues).find((i) => i.expression?.[0] === expression && i.code === code);
    expect(hit, JSON.stringify(issues, null, 1)).toBeDefined();
    expect(hit!.diagnostics).toMatch(message);
    // The same instance without the profile claim is valid base R4 (except where R4 itself requires it).
    if (validBaseR4) expect(errors(validator.validate(resource))).toEqual([]);
    else expect(errors(validator.validate(resource)).length).toBeGreaterThan(0);
  });

  test('an unknown profile in meta.profile is only a warning', () => {
    const issues = validator.validate(withProfile('http://example.org/StructureDefinition/unknown', patient));
    expect(issues).toEqual([expect.objectContaining({ severity: 'warning', code: 'not-found', expression: ['Patient.meta.profile[0]'] })]);
  });

  test('an unknown profile asked for in options is an error not-found', () => {
    const issues = validator.validate(patient, { profiles: ['http://example.org/StructureDefinition/unknown'] });
    expect(issues).toEqual([expect.objectContaining({ severity: 'error', code: 'not-found' })]);
  });

  test('a versioned canonical in meta.profile resolves', () => {
    const issues = validator.validate({ ...patient, birthDate: undefined, meta: { profile: [`${SD}tessera-patient|0.1.0`] } });
    expect(errors(issues)).toHaveLength(1);
  });

  test('a profile of another resource type is an error', () => {
    const issues = validator.validate(patient, { profiles: [`${SD}tessera-immunization`] });
    expect(errors(issues)[0].diagnostics).toMatch(/applies to Immunization but the resource is a Patient/);
  });
});

describe('slicing and derived profiles (test fixtures)', () => {
  const mrn = { system: 'urn:oid:1.2.36.146.595.217.0.1', value: '12345' };
  const base = { resourceType: 'Patient', identifier: [{ system: 'https://other', value: '9' }, mrn], gender: 'female' };

  test.each<[string, object, string | undefined]>([
    ['conforming', base, undefined],
    ['mrn slice missing', { ...base, identifier: [{ system: 'https://other', value: '9' }] }, 'Patient\\.identifier:mrn expects at least 1 but got 0'],
    ['mrn slice twice', { ...base, identifier: [mrn, mrn] }, 'Patient\\.identifier:mrn allows at most 1 but got 2'],
    ['mrn slice without value', { ...base, identifier: [{ system: mrn.system }] }, 'Patient\\.identifier:mrn\\.value expects at least 1 but got 0'],
    ['name max 1', { ...base, name: [{ text: 'a' }, { text: 'b' }] }, 'Patient\\.name allows at most 1 but got 2'],
    ['fixed code', { ...base, gender: 'male' }, 'fixedCode: expected "female" but got "male"'],
  ])('%s', (_label, resource, message) => {
    const issues = errors(testValidator.validate(resource, { profiles: [`${TEST_SD}test-sliced-patient`] }));
    if (!message) expect(issues).toEqual([]);
    else expect(issues.map((i) => i.diagnostics).join('\n')).toMatch(new RegExp(message));
  });

  test('a profile re-checks only the rules it changes (no duplicate base findings)', () => {
    const issues = testValidator.validate({ ...base, gender: 'mail' }, { profiles: [`${TEST_SD}test-sliced-patient`] });
    expect(issues.filter((i) => i.code === 'code-invalid')).toHaveLength(1);
    expect(issues.filter((i) => i.code === 'value' && /fixedCode/.test(i.diagnostics ?? ''))).toHaveLength(1);
  });

  test('a profile derived from another profile applies both', () => {
    const issues = errors(testValidator.validate({ ...base, gender: 'male' }, { profiles: [`${TEST_SD}test-derived-patient`] }));
    const text = issues.map((i) => i.diagnostics).join('\n');
    expect(text).toMatch(/fixedCode/);
    expect(text).toMatch(/Patient\.birthDate expects at least 1/);
  });

  test('closed slicing on Coding by value reports codings matching no slice', () => {
    const imm = { resourceType: 'Immunization', status: 'completed', patient: { reference: 'Patient/1' }, occurrenceDateTime: '2024-01-01' };
    const cvx = { system: 'http://hl7.org/fhir/sid/cvx', code: '140' };
    const ok = testValidator.validate({ ...imm, vaccineCode: { coding: [cvx] } }, { profiles: [`${TEST_SD}test-closed-coding`] });
    expect(errors(ok)).toEqual([]);
    const bad = testValidator.validate({ ...imm, vaccineCode: { coding: [cvx, { system: 'http://snomed.info/sct', code: '1' }] } }, { profiles: [`${TEST_SD}test-closed-coding`] });
    expect(errors(bad)).toEqual([expect.objectContaining({ expression: ['Immunization.vaccineCode.coding[1]'], code: 'structure' })]);
  });

  test('a profile whose differential names an element the base lacks fails at load time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-profiles-'));
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({
        resourceType: 'StructureDefinition', url: 'http://x/bad', name: 'Bad', status: 'draft', kind: 'resource', abstract: false, type: 'Patient',
        baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Patient', derivation: 'constraint',
        differential: { element: [{ id: 'Patient.shoeSize', path: 'Patient.shoeSize', min: 1 }] },
      }),
    );
    expect(() => createValidator({ profilesDir: dir })).toThrow(/Patient\.shoeSize/);
  });
});
