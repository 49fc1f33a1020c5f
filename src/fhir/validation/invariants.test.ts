import type { OperationOutcomeIssue } from 'fhir/r4';
import { describe, expect, test } from 'vitest';
import { createValidator } from './index';
import { evaluateInvariants, skippedInvariants } from './invariants';

const validator = createValidator({ profilesDir: 'fhir-profiles' });
const errors = (issues: OperationOutcomeIssue[]) => issues.filter((i) => i.severity === 'error');

describe('FHIRPath invariants (base definitions)', () => {
  test.each([
    ['pat-1 on a contact without details', { resourceType: 'Patient', contact: [{ gender: 'male' }] }, 'Patient.contact[0]', /^Constraint failed: pat-1: SHALL at least contain a contact's details or a reference to an organization$/],
    ['per-1 on a data type (Period) nested in a backbone element', { resourceType: 'Patient', contact: [{ name: { text: 'A' }, period: { start: '2020-02-01', end: '2020-01-01' } }] }, 'Patient.contact[0].period', /per-1/],
    ['ext-1 on an extension with both value and extensions', { resourceType: 'Patient', extension: [{ url: 'http://x', valueString: 'a', extension: [{ url: 'y', valueString: 'b' }] }] }, 'Patient.extension[0]', /ext-1/],
    ['ele-1 on an element with only an id', { resourceType: 'Patient', name: [{ id: 'n1' }] }, 'Patient.name[0]', /ele-1/],
    ['ele-1 on an empty element in a data type', { resourceType: 'Patient', name: [{ text: 'x', period: {} }] }, 'Patient.name[0].period', /ele-1/],
    ['ext-1 on an extension with neither value nor extensions', { resourceType: 'Patient', extension: [{ url: 'http://x' }] }, 'Patient.extension[0]', /ext-1/],
    ['txt-1 on a narrative with a script (htmlChecks)', { resourceType: 'Patient', text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></div>' } }, 'Patient.text.div', /txt-1/],
    ['inv-1 on a nested Parameters part (contentReference)', { resourceType: 'Parameters', parameter: [{ name: 'a', part: [{ name: 'b', valueString: 'x', part: [{ name: 'c', valueString: 'y' }] }] }] }, 'Parameters.parameter[0].part[0]', /inv-1/],
    ['que-1 on a nested Questionnaire item', { resourceType: 'Questionnaire', status: 'draft', item: [{ linkId: '1', type: 'group', item: [{ linkId: '1.1', type: 'group' }] }] }, 'Questionnaire.item[0].item[0]', /que-1/],
    ['ref-1 on a dangling contained reference', { resourceType: 'Patient', managingOrganization: { reference: '#nowhere' } }, 'Patient.managingOrganization', /ref-1/],
    ['dom-2 on nested contained resources', { resourceType: 'Patient', contained: [{ resourceType: 'Patient', id: 'p', contained: [{ resourceType: 'Organization', id: 'o', name: 'n' }] }], link: [{ other: { reference: '#p' }, type: 'seealso' }] }, 'Patient', /dom-2/],
    ['org-1 inside a contained resource', { resourceType: 'Patient', contained: [{ resourceType: 'Organization', id: 'o' }], managingOrganization: { reference: '#o' } }, 'Patient.contained[0]', /org-1/],
    ['dom-3 on a contained resource nothing refers to', { resourceType: 'Patient', contained: [{ resourceType: 'Organization', id: 'o', name: 'n' }], managingOrganization: { reference: 'o' } }, 'Patient', /dom-3/],
    ['obs-6 on the resource root', { resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueString: 'a', dataAbsentReason: { text: 'b' } }, 'Observation', /obs-6/],
    ['qty-3 in a choice-typed Quantity', { resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueQuantity: { value: 1, code: 'mg' } }, 'Observation.valueQuantity', /qty-3/],
  ])('%s', (_label, resource, expression, message) => {
    const issues = validator.validate(resource);
    const hit = errors(issues).find((i) => i.code === 'invariant' && i.expression?.[0] === expression && message.test(i.diagnostics ?? ''));
    expect(hit, JSON.stringify(issues, null, 1)).toBeDefined();
  });

  test.each([
    ['pat-1 satisfied', { resourceType: 'Patient', contact: [{ telecom: [{ system: 'phone', value: '1' }] }] }],
    ['per-1 satisfied', { resourceType: 'Patient', contact: [{ name: { text: 'A' }, period: { start: '2020-01-01', end: '2020-02-01' } }] }],
    ['dom-3 satisfied by a reference deep inside the resource', { resourceType: 'Patient', contained: [{ resourceType: 'Organization', id: 'o', name: 'n' }], contact: [{ organization: { reference: '#o' } }] }],
    ['ele-1 and ext-1 satisfied', { resourceType: 'Patient', extension: [{ url: 'http://x', extension: [{ url: 'a', valueString: 'b' }] }], name: [{ id: 'n1', text: 'x' }] }],
    ['txt-1 satisfied', { resourceType: 'Patient', text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Peter <b>Chalmers</b></p></div>' } }],
    ['ref-1 satisfied', { resourceType: 'Patient', contained: [{ resourceType: 'Organization', id: 'o', name: 'n' }], managingOrganization: { reference: '#o' } }],
  ])('no error: %s', (_label, resource) => {
    expect(errors(validator.validate(resource))).toEqual([]);
  });

  test('an invariant that throws or cannot compile is skipped, never an error', () => {
    const issues: OperationOutcomeIssue[] = [];
    const target = { value: { resourceType: 'Patient' }, location: 'Patient', base: undefined };
    const env = { resource: target.value, rootResource: target.value };
    evaluateInvariants(
      [
        { key: 'bad-1', severity: 'error', human: 'unparseable', expression: 'name.where(' },
        { key: 'bad-2', severity: 'error', human: 'throws', expression: "(1 | 2).as(integer) = 1" },
        { key: 'srv-1', severity: 'error', human: 'needs a server', expression: 'managingOrganization.resolve().exists()' },
        { key: 'ok-1', severity: 'error', human: 'really fails', expression: 'name.exists()' },
        { key: 'warn-1', severity: 'warning', human: 'not an error rule', expression: 'name.exists()' },
      ],
      target,
      env,
      '',
      issues,
    );
    expect(issues).toEqual([expect.objectContaining({ code: 'invariant', diagnostics: 'Constraint failed: ok-1: really fails', expression: ['Patient'] })]);
    expect([...skippedInvariants().keys()]).toEqual(expect.arrayContaining(['bad-1', 'srv-1']));
  });

  test('validation does not modify the resource', () => {
    const resource = { resourceType: 'Patient', contact: [{ gender: 'male' }], name: [{ given: ['A'] }] };
    const before = JSON.stringify(resource);
    validator.validate(resource);
    expect(JSON.stringify(resource)).toBe(before);
  });
});
