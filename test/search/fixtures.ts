import type { FhirResource } from 'fhir/r4';

/** A small clinical data set covering every parameter type the suite exercises. */
export const FIXTURES: FhirResource[] = [
  {
    resourceType: 'Organization', id: 'o1', name: 'Acme Health', active: true,
  },
  {
    resourceType: 'Organization', id: 'o2', name: 'Gone Clinic', partOf: { reference: 'Organization/o1' },
  },
  {
    resourceType: 'Patient', id: 'p1', active: true, gender: 'male', birthDate: '1974-12-25',
    meta: { tag: [{ system: 'http://example.org/tags', code: 'vip' }], profile: ['http://example.org/fhir/StructureDefinition/my-patient'], source: 'http://example.org/source#a' },
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Peter James Chalmers, a friendly patient</div>' },
    identifier: [{ system: 'urn:oid:1.2.36.146.595.217.0.1', value: '12345', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] } }],
    name: [{ use: 'official', family: 'Chalmers', given: ['Peter', 'James'] }],
    telecom: [{ system: 'phone', value: '(03) 5555 6473' }, { system: 'email', value: 'peter@example.org' }],
    address: [{ line: ['534 Erewhon St'], city: 'PleasantVille', postalCode: '3999', country: 'AU' }],
    managingOrganization: { reference: 'Organization/o1' },
    generalPractitioner: [{ reference: 'Practitioner/dr1' }],
  },
  {
    resourceType: 'Patient', id: 'p2', gender: 'female', birthDate: '1980-03',
    name: [{ family: 'Müller', given: ['Zoë'] }],
    identifier: [{ system: 'http://hospital.example/mrn', value: 'A-77' }],
    managingOrganization: { reference: 'Organization/o2' },
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Zoe Muller, allergic to peanuts</div>' },
  },
  {
    resourceType: 'Patient', id: 'p3', gender: 'other', name: [{ family: 'Smith', given: ['Anna'] }], active: false,
  },
  {
    resourceType: 'Patient', id: 'pdel', gender: 'male', name: [{ family: 'Gone' }],
  },
  {
    resourceType: 'Practitioner', id: 'dr1', name: [{ family: 'Careful', given: ['Adam'] }],
  },
  {
    resourceType: 'Observation', id: 'obs1', status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '29463-7', display: 'Body Weight' }], text: 'Weight' },
    subject: { reference: 'Patient/p1' }, performer: [{ reference: 'Practitioner/dr1' }],
    effectiveDateTime: '2020-01-15T10:00:00+02:00',
    valueQuantity: { value: 70, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
  },
  {
    resourceType: 'Observation', id: 'obs2', status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '8302-2', display: 'Body height' }] },
    subject: { reference: 'Patient/p2' },
    effectivePeriod: { start: '2020-02-01', end: '2020-02-03' },
    valueQuantity: { value: 165, unit: 'cm', system: 'http://unitsofmeasure.org', code: 'cm' },
  },
  {
    resourceType: 'Observation', id: 'obs3', status: 'preliminary',
    code: { coding: [{ system: 'http://loinc.org', code: '85354-9', display: 'Blood pressure panel' }] },
    subject: { reference: 'Patient/p1' },
    effectiveDateTime: '2021',
    component: [
      { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 120, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
      { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: 80, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
    ],
  },
  {
    resourceType: 'Observation', id: 'obs4', status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '2345-7', display: 'Glucose' }] },
    subject: { reference: 'Patient/p1/_history/1' },
    effectiveDateTime: '2020-01-15T23:30:00Z',
    valueQuantity: { value: 5.4, unit: 'g', system: 'http://unitsofmeasure.org', code: 'g' },
  },
  {
    resourceType: 'Observation', id: 'obs5', status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
    subject: { reference: 'Patient/pdel' },
    valueQuantity: { value: 99.5, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
  },
  {
    resourceType: 'Observation', id: 'obs6', status: 'final',
    code: { coding: [{ system: 'http://snomed.info/sct', code: '27113001' }] },
    subject: { reference: 'Patient/p3' },
    valueString: 'n/a',
  },
  {
    resourceType: 'Observation', id: 'obs7', status: 'corrected',
    code: { coding: [{ system: 'http://snomed.info/sct', code: '363788007' }] },
  },
  {
    resourceType: 'Encounter', id: 'e1', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    subject: { reference: 'Patient/p1' }, period: { start: '2020-01-15T09:00:00Z', end: '2020-01-15T11:00:00Z' },
  },
  {
    resourceType: 'Immunization', id: 'i1', status: 'completed',
    vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '207' }] },
    patient: { reference: 'Patient/p1' }, occurrenceDateTime: '2021-05-01',
  },
  {
    resourceType: 'Immunization', id: 'i2', status: 'completed',
    vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '208' }] },
    patient: { reference: 'Patient/p2' }, occurrenceDateTime: '2021-06-01',
  },
  {
    resourceType: 'Location', id: 'loc1', name: 'South Wing', position: { latitude: 42.2565, longitude: -83.6943 },
  },
  {
    resourceType: 'Location', id: 'loc2', name: 'Far Away', position: { latitude: 48.8566, longitude: 2.3522 },
  },
  {
    resourceType: 'RiskAssessment', id: 'ra1', status: 'final', subject: { reference: 'Patient/p1' },
    prediction: [{ probabilityDecimal: 0.25 }],
  },
  {
    resourceType: 'RiskAssessment', id: 'ra2', status: 'final', subject: { reference: 'Patient/p2' },
    prediction: [{ probabilityDecimal: 100 }],
  },
  {
    resourceType: 'List', id: 'l1', status: 'current', mode: 'working', entry: [{ item: { reference: 'Patient/p1' } }, { item: { reference: 'Patient/p3' } }],
  },
  {
    resourceType: 'DiagnosticReport', id: 'rep1', status: 'final', code: { text: 'Height report' }, result: [{ reference: 'Observation/obs2' }],
  },
  {
    resourceType: 'ValueSet', id: 'vs1', status: 'active', url: 'http://example.org/fhir/ValueSet/abc', version: '1.0',
  },
];
