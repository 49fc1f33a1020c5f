import { describe, expect, test } from 'vitest';
import { FhirError } from '../../shared/fhir-error';
import { parseCriterion, parseSearch, UnknownParameter } from './parse-request';

const BASE = 'http://localhost/fhir';

describe('parseCriterion', () => {
  test('chains resolve target types and nest', () => {
    const c = parseCriterion('Observation', 'subject:Patient.organization.name', 'acme', BASE);
    expect(c).toMatchObject({ kind: 'chain', targets: [{ type: 'Patient', inner: { kind: 'chain', targets: [{ type: 'Organization', inner: { kind: 'value' } }] } }] });
  });

  test('_has nests', () => {
    const c = parseCriterion('Patient', '_has:Observation:subject:_has:DiagnosticReport:result:status', 'final', BASE);
    expect(c).toMatchObject({ kind: 'has', sourceType: 'Observation', inner: { kind: 'has', sourceType: 'DiagnosticReport' } });
  });

  test('local absolute references are made relative', () => {
    expect(parseCriterion('Observation', 'subject', `${BASE}/Patient/1`, BASE)).toMatchObject({ values: [{ kind: 'reference', type: 'Patient', id: '1' }] });
  });

  test('unknown parameters are reported, not thrown', () => {
    expect(parseCriterion('Patient', 'nonsense', 'x', BASE)).toBeInstanceOf(UnknownParameter);
  });

  test.each([
    ['Patient', 'birthdate', '2020-99'],
    ['Patient', 'gender:exact', 'male'],
    ['Patient', 'name.family', 'x'],
    ['Observation', 'value-quantity', '5|a'],
    ['Observation', 'code-value-quantity', 'http://loinc.org|1'],
    ['Patient', '_id', 'not/valid'],
  ])('%s?%s=%s is a 400', (type, name, value) => {
    expect(() => parseCriterion(type, name, value, BASE)).toThrow(FhirError);
  });
});

describe('parseSearch', () => {
  test('controls are parsed and applied parameters kept in order', () => {
    const p = parseSearch(['Patient'], [['name', 'x'], ['_sort', '-birthdate,_id'], ['_count', '5'], ['bogus', '1'], ['_total', 'accurate']], { baseUrl: BASE, strict: false });
    expect(p.sort.map((s) => [s.code, s.desc])).toEqual([['birthdate', true], ['_id', false]]);
    expect(p.count).toBe(5);
    expect(p.total).toBe('accurate');
    expect(p.applied).toEqual([['name', 'x'], ['_sort', '-birthdate,_id'], ['_count', '5'], ['_total', 'accurate']]);
    expect(p.ignored.map((i) => i.name)).toEqual(['bogus']);
  });

  test('strict mode rejects unknown parameters', () => {
    expect(() => parseSearch(['Patient'], [['bogus', '1']], { baseUrl: BASE, strict: true })).toThrow(/bogus/);
  });

  test('_count is capped', () => {
    expect(parseSearch(['Patient'], [['_count', '100000']], { baseUrl: BASE, strict: true }).count).toBe(1000);
  });
});
