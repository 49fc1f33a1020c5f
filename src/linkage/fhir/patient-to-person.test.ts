import type { Patient } from 'fhir/r4';
import { expect, test } from 'vitest';
import { normalizePerson } from '../normalize/normalize-person';
import { fhirPatientToPersonPhi } from './patient-to-person';

test('extracts the identifying fields of a Patient', () => {
  const patient: Patient = {
    resourceType: 'Patient',
    identifier: [
      { system: 'urn:oid:1.2.36.146.595.217.0.1', value: '12345' },
      { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'SS' }] }, value: '123-45-6789' },
    ],
    name: [
      { use: 'old', family: 'Windsor', given: ['Peter'] },
      { use: 'official', family: 'Chalmers', given: ['Peter', 'James'], suffix: ['Jr.'] },
      { use: 'usual', given: ['Jim'] },
    ],
    telecom: [
      { system: 'email', value: 'p@example.org' },
      { system: 'phone', value: '(03) 5555 6473', use: 'work' },
      { system: 'phone', value: '0491 570 156', use: 'mobile' },
    ],
    gender: 'male',
    birthDate: '1974-12-25',
    address: [
      { use: 'old', line: ['1 Old Road'], city: 'Nowhere', postalCode: '9999' },
      { use: 'home', line: ['534 Erewhon St', 'Unit 4'], city: 'PleasantVille', state: 'Vic', postalCode: '3999' },
    ],
  };
  const phi = fhirPatientToPersonPhi(patient);
  expect(phi).toMatchObject({
    given: 'Peter', middle: 'James', family: 'Chalmers', suffix: 'Jr.', sex: 'male', birthDate: '1974-12-25', streetNumber: '534',
    addressLine: 'Erewhon St', addressLine2: 'Unit 4', city: 'PleasantVille', state: 'Vic', postcode: '3999', phone: '0491 570 156', nationalId: '123-45-6789',
  });
  const n = normalizePerson(phi);
  expect(n).toMatchObject({ given: 'peter', family: 'chalmers', suffix: 'jr', dob: '19741225', nationalId: '123456789', phone: '+61491570156', street: 'erewhon st' });
});

test('an empty Patient gives an empty person', () => {
  const n = normalizePerson(fhirPatientToPersonPhi({ resourceType: 'Patient' }));
  expect(n.given + n.family + n.dob + n.postcode).toBe('');
});
