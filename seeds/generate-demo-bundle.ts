/**
 * Writes seeds/demo/demo-bundle.json: a small, fictional, deterministic demo data set (clinics,
 * practitioners, patients, immunizations, appointments, prescriptions) as one transaction Bundle
 * with conditional creates, so loading it twice adds nothing. Run: npx tsx seeds/generate-demo-bundle.ts
 */
import { writeFileSync } from 'node:fs';
import type { Bundle, BundleEntry, FhirResource } from 'fhir/r4';

const SYS = 'https://tessera.health/demo';
const entries: BundleEntry[] = [];
const uuid = (n: number) => `urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
let n = 0;
function add(resource: FhirResource, identifier: string): string {
  const fullUrl = uuid(++n);
  entries.push({ fullUrl, resource, request: { method: 'POST', url: resource.resourceType, ifNoneExist: `identifier=${identifier}` } });
  return fullUrl;
}

const clinics = [
  ['north', 'Northside Community Clinic', 'Springfield'],
  ['river', 'Riverside Family Health', 'Shelbyville'],
  ['hill', 'Hilltop Immunization Center', 'Capital City'],
].map(([code, name, city]) =>
  add({ resourceType: 'Organization', identifier: [{ system: `${SYS}/clinic`, value: code }], active: true, name, type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'prov', display: 'Healthcare Provider' }] }], address: [{ city, state: 'IL', country: 'US' }] }, `${SYS}/clinic|${code}`),
);

const practitioners = [
  ['p1', 'Nguyen', 'Linh'],
  ['p2', 'Okafor', 'Chidi'],
  ['p3', 'Schmidt', 'Anna'],
  ['p4', 'Haddad', 'Omar'],
].map(([id, family, given]) => add({ resourceType: 'Practitioner', identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: `99900000${id.slice(1)}` }], active: true, name: [{ family, given: [given], prefix: ['Dr.'] }] }, `http://hl7.org/fhir/sid/us-npi|99900000${id.slice(1)}`));

const people: Array<[string, string, 'male' | 'female', string, number]> = [
  ['Rivera', 'Maria', 'female', '1984-03-12', 0],
  ['Rivera', 'Jose', 'male', '1982-11-02', 0],
  ['Johnson', 'Robert', 'male', '1957-06-30', 1],
  ['Johnson', 'Bob', 'male', '1957-06-30', 2],
  ['Chen', 'Wei', 'female', '1995-01-21', 1],
  ['Patel', 'Anika', 'female', '2019-08-15', 2],
  ['Smith', 'John', 'male', '1979-12-01', 0],
  ['Smith', 'John', 'male', '2003-12-01', 0],
  ['Kowalski', 'Ewa', 'female', '1968-05-09', 1],
  ['Mensah', 'Kofi', 'male', '2001-10-27', 2],
];
const clinicCodes = ['north', 'river', 'hill'];
const patients = people.map(([family, given, gender, birthDate, clinic], i) =>
  add(
    {
      resourceType: 'Patient',
      meta: { profile: ['https://tessera.health/fhir/StructureDefinition/tessera-patient'] },
      identifier: [{ system: `${SYS}/clinic/${clinicCodes[clinic]}/mrn`, value: `MRN-${1000 + i}` }],
      active: true,
      name: [{ use: 'official', family, given: [given] }],
      gender,
      birthDate,
      telecom: [{ system: 'phone', value: `+1-217-555-${String(100 + i).padStart(4, '0')}`, use: 'mobile' }],
      address: [{ line: [`${10 + i} Main St`], city: ['Springfield', 'Shelbyville', 'Capital City'][clinic], state: 'IL', postalCode: `6270${i % 10}` }],
      managingOrganization: { reference: clinics[clinic] },
    },
    `${SYS}/clinic/${clinicCodes[clinic]}/mrn|MRN-${1000 + i}`,
  ),
);

// CVX codes: 208 Pfizer COVID-19, 207 Moderna COVID-19, 212 Janssen, 03 MMR, 140 influenza, 115 Tdap.
const doses: Array<[number, string, string, string, number]> = [
  [0, '208', 'COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose', '2021-04-01', 0],
  [0, '208', 'COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose', '2021-04-22', 0],
  [1, '207', 'COVID-19, mRNA, LNP-S, PF, 100 mcg/0.5 mL dose', '2021-05-03', 0],
  [2, '212', 'COVID-19 vaccine, vector-nr, rS-Ad26, PF, 0.5 mL', '2021-06-10', 1],
  [3, '208', 'COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose', '2021-05-01', 2],
  [4, '207', 'COVID-19, mRNA, LNP-S, PF, 100 mcg/0.5 mL dose', '2021-03-15', 1],
  [4, '208', 'COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose', '2021-04-20', 1],
  [5, '03', 'measles, mumps and rubella virus vaccine', '2020-08-20', 2],
  [6, '140', 'Influenza, seasonal, injectable, preservative free', '2023-10-05', 0],
  [8, '115', 'tetanus toxoid, reduced diphtheria toxoid, and acellular pertussis vaccine, adsorbed', '2022-02-14', 1],
];
doses.forEach(([patient, cvx, display, date, clinic], i) =>
  add(
    {
      resourceType: 'Immunization',
      meta: { profile: ['https://tessera.health/fhir/StructureDefinition/tessera-immunization'] },
      identifier: [{ system: `${SYS}/clinic/${clinicCodes[clinic]}/immunization`, value: `IMM-${5000 + i}` }],
      status: 'completed',
      vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: cvx, display }] },
      patient: { reference: patients[patient] },
      occurrenceDateTime: date,
      primarySource: true,
      performer: [{ function: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0443', code: 'AP', display: 'Administering Provider' }] }, actor: { reference: practitioners[clinic] } }, { actor: { reference: clinics[clinic] } }],
      lotNumber: `LOT${7000 + i}`,
    },
    `${SYS}/clinic/${clinicCodes[clinic]}/immunization|IMM-${5000 + i}`,
  ),
);

[
  [0, 0, '2026-12-01T09:00:00Z', '2026-12-01T09:15:00Z', 'booked'],
  [5, 2, '2026-12-02T14:00:00Z', '2026-12-02T14:15:00Z', 'booked'],
  [9, 2, '2026-12-03T10:30:00Z', '2026-12-03T10:45:00Z', 'proposed'],
].forEach(([patient, clinic, start, end, status], i) =>
  add(
    {
      resourceType: 'Appointment',
      meta: { profile: ['https://tessera.health/fhir/StructureDefinition/tessera-appointment'] },
      identifier: [{ system: `${SYS}/appointment`, value: `APT-${i + 1}` }],
      status: status as 'booked',
      serviceType: [{ text: 'Vaccination' }],
      start: start as string,
      end: end as string,
      participant: [
        { actor: { reference: patients[patient as number] }, status: 'accepted' },
        { actor: { reference: practitioners[clinic as number] }, status: 'accepted' },
      ],
    },
    `${SYS}/appointment|APT-${i + 1}`,
  ),
);

[
  [2, 1, '314076', 'lisinopril 10 MG Oral Tablet'],
  [6, 0, '860975', 'metformin hydrochloride 500 MG Oral Tablet'],
  [8, 1, '197361', 'amlodipine 5 MG Oral Tablet'],
].forEach(([patient, clinic, code, display], i) =>
  add(
    {
      resourceType: 'MedicationRequest',
      meta: { profile: ['https://tessera.health/fhir/StructureDefinition/tessera-medicationrequest'] },
      identifier: [{ system: `${SYS}/prescription`, value: `RX-${i + 1}` }],
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: code as string, display: display as string }] },
      subject: { reference: patients[patient as number] },
      authoredOn: '2026-11-01',
      requester: { reference: practitioners[clinic as number] },
      dosageInstruction: [{ text: 'One tablet by mouth daily' }],
      dispenseRequest: { numberOfRepeatsAllowed: 3, quantity: { value: 30, unit: 'tablet' } },
    },
    `${SYS}/prescription|RX-${i + 1}`,
  ),
);

const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: entries };
writeFileSync(new URL('./demo/demo-bundle.json', import.meta.url), `${JSON.stringify(bundle, null, 2)}\n`);
console.log(`wrote ${entries.length} entries`);
