import { describe, expect, test } from 'vitest';
import { expandValueSet, stripVersion } from './terminology';

describe('expandValueSet', () => {
  test.each([
    // include of a whole complete CodeSystem
    ['http://hl7.org/fhir/ValueSet/administrative-gender', 'http://hl7.org/fhir/administrative-gender', 'unknown', 4],
    // versioned canonical, as written in ElementDefinition.binding.valueSet
    ['http://hl7.org/fhir/ValueSet/administrative-gender|4.0.1', 'http://hl7.org/fhir/administrative-gender', 'female', 4],
    // nested concepts (hierarchical code system) are included
    ['http://hl7.org/fhir/ValueSet/condition-clinical', 'http://terminology.hl7.org/CodeSystem/condition-clinical', 'recurrence', 6],
  ])('%s contains %s|%s', (url, system, code, size) => {
    const vs = expandValueSet(url);
    expect(vs).toBeDefined();
    expect(vs!.pairs.has(`${system}|${code}`)).toBe(true);
    expect(vs!.codes.size).toBe(size);
    expect(vs!.pairs.has(`${system}|not-a-code`)).toBe(false);
  });

  test.each([
    ['http://hl7.org/fhir/ValueSet/mimetypes'], // urn:ietf:bcp:13: external grammar, no concept list
    ['http://hl7.org/fhir/ValueSet/observation-codes'], // LOINC: external
    ['http://example.org/ValueSet/unknown'],
  ])('%s cannot be expanded offline', (url) => {
    expect(expandValueSet(url)).toBeUndefined();
  });

  test('stripVersion', () => {
    expect(stripVersion('http://a/b|1.0')).toBe('http://a/b');
    expect(stripVersion('http://a/b')).toBe('http://a/b');
  });
});
