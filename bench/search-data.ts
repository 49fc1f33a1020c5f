import type { Encounter, Immunization, MedicationRequest, Observation, Patient, Resource } from 'fhir/r4';
import { seededRandom } from '../src/shared/seeded-random';

/** Deterministic PRNG (mulberry32) so every run generates the same data set. */
export const rng = seededRandom;

export const FAMILIES = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts', 'Müller', 'Schäfer', 'Øberg', 'Kowalski', 'Nakamura', 'Okafor', 'Haddad', 'Silva', 'Rossi', 'Dubois'];
export const GIVENS = ['James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'William', 'Elizabeth', 'David', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen', 'Zoë', 'Renée', 'José', 'Aïcha', 'Björn'];
export const CITIES = ['Springfield', 'Riverside', 'Franklin', 'Greenville', 'Bristol', 'Clinton', 'Fairview', 'Salem', 'Madison', 'Georgetown'];
export const VACCINES = [['207', 'COVID-19 mRNA'], ['208', 'COVID-19 mRNA 2'], ['140', 'Influenza'], ['115', 'Tdap'], ['133', 'PCV13'], ['62', 'HPV'], ['03', 'MMR'], ['21', 'Varicella'], ['08', 'Hep B'], ['10', 'IPV']];
export const LOINC = [['8302-2', 'Body height', 'cm', 150, 40], ['29463-7', 'Body weight', 'kg', 75, 20], ['8867-4', 'Heart rate', '/min', 72, 12], ['8480-6', 'Systolic BP', 'mm[Hg]', 120, 15], ['8462-4', 'Diastolic BP', 'mm[Hg]', 80, 10], ['2339-0', 'Glucose', 'mg/dL', 95, 20], ['39156-5', 'BMI', 'kg/m2', 26, 5], ['2093-3', 'Cholesterol', 'mg/dL', 190, 30], ['4548-4', 'HbA1c', '%', 5.7, 0.8], ['8310-5', 'Body temperature', 'Cel', 37, 0.5]] as const;
export const MEDS = [['197361', 'Amlodipine 5 MG'], ['310798', 'Hydrochlorothiazide 25 MG'], ['314076', 'Lisinopril 10 MG'], ['860975', 'Metformin 500 MG'], ['197381', 'Atenolol 50 MG'], ['308136', 'Amoxicillin 250 MG']];
export const MRN_SYSTEM = 'http://hospital.example.org/mrn';

/** Per patient: 1 Patient + 3 Immunizations + 8 Observations + 3 Encounters + 2 MedicationRequests. */
export const RESOURCES_PER_PATIENT = 17;

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
function dateIn(r: () => number, fromYear: number, toYear: number): string {
  const y = fromYear + Math.floor(r() * (toYear - fromYear + 1));
  return `${y}-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 28))}`;
}

/** The Synthea-like resources of patient number `n` (ids derived from n, so runs are reproducible). */
export function patientBundle(n: number): Resource[] {
  const r = rng(n * 7919 + 17);
  const pid = `pat-${n}`;
  const subject = { reference: `Patient/${pid}` };
  const patient: Patient = {
    resourceType: 'Patient', id: pid, active: true,
    identifier: [{ system: MRN_SYSTEM, value: `MRN${pad(n, 8)}`, type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] } }],
    name: [{ use: 'official', family: pick(r, FAMILIES), given: [pick(r, GIVENS), pick(r, GIVENS)] }],
    gender: r() < 0.5 ? 'male' : 'female',
    birthDate: dateIn(r, 1930, 2020),
    address: [{ line: [`${1 + Math.floor(r() * 999)} Main St`], city: pick(r, CITIES), state: 'MA', postalCode: pad(Math.floor(r() * 99999), 5), country: 'US' }],
    telecom: [{ system: 'phone', value: `555-${pad(Math.floor(r() * 9999), 4)}`, use: 'home' }],
    text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">Generated patient ${n}</div>` },
  };
  const out: Resource[] = [patient];
  const encounters: string[] = [];
  for (let i = 0; i < 3; i++) {
    const id = `enc-${n}-${i}`;
    encounters.push(id);
    const start = `${dateIn(r, 2015, 2024)}T${pad(8 + Math.floor(r() * 9))}:00:00Z`;
    const e: Encounter = {
      resourceType: 'Encounter', id, status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: r() < 0.8 ? 'AMB' : 'EMER' },
      type: [{ coding: [{ system: 'http://snomed.info/sct', code: pick(r, ['185349003', '162673000', '410620009']) }] }],
      subject, period: { start, end: start.replace(/T(\d\d)/, (_, h) => `T${pad(Number(h) + 1)}`) },
    };
    out.push(e);
  }
  for (let i = 0; i < 3; i++) {
    const [code, display] = pick(r, VACCINES);
    const im: Immunization = {
      resourceType: 'Immunization', id: `imm-${n}-${i}`, status: 'completed',
      vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code, display }] },
      patient: subject, encounter: { reference: `Encounter/${pick(r, encounters)}` },
      occurrenceDateTime: `${dateIn(r, 2015, 2024)}T10:00:00Z`, primarySource: true,
      lotNumber: `LOT${Math.floor(r() * 100000)}`,
    };
    out.push(im);
  }
  for (let i = 0; i < 8; i++) {
    const [code, display, unit, mean, sd] = pick(r, LOINC);
    const value = Math.round((mean + (r() - 0.5) * 2 * sd) * 10) / 10;
    const o: Observation = {
      resourceType: 'Observation', id: `obs-${n}-${i}`, status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: code === '2339-0' || code === '2093-3' || code === '4548-4' ? 'laboratory' : 'vital-signs' }] }],
      code: { coding: [{ system: 'http://loinc.org', code, display }], text: display },
      subject, encounter: { reference: `Encounter/${pick(r, encounters)}` },
      effectiveDateTime: `${dateIn(r, 2015, 2024)}T${pad(8 + Math.floor(r() * 9))}:${pad(Math.floor(r() * 60))}:00Z`,
      valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit },
    };
    out.push(o);
  }
  for (let i = 0; i < 2; i++) {
    const [code, display] = pick(r, MEDS);
    const m: MedicationRequest = {
      resourceType: 'MedicationRequest', id: `med-${n}-${i}`, status: r() < 0.7 ? 'active' : 'completed', intent: 'order',
      medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code, display }] },
      subject, encounter: { reference: `Encounter/${pick(r, encounters)}` }, authoredOn: `${dateIn(r, 2015, 2024)}T09:00:00Z`,
    };
    out.push(m);
  }
  return out;
}
