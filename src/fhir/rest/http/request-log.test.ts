import { describe, expect, it } from 'vitest';
import { redactPath } from './request-log';

describe('redactPath', () => {
  it.each([
    ['/fhir/Patient/123', '/fhir/Patient/:id'],
    ['/fhir/Patient/abc/_history/2', '/fhir/Patient/:id/_history/:vid'],
    ['/fhir/Patient/abc/$everything', '/fhir/Patient/:id/$everything'],
    ['/fhir/metadata', '/fhir/metadata'],
    ['/fhir/Patient', '/fhir/Patient'],
    ['/api/patients/7f1c', '/api/patients/:id'],
  ])('%s → %s', (input, expected) => expect(redactPath(input)).toBe(expected));
});
