import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Bundle } from 'fhir/r4';
import type { Database } from '../../src/storage/create-database';
import { ResourceStore } from '../../src/storage/resource-store';
import { createSearchEngine, type SearchEngine } from '../../src/fhir/search';
import { createTestDatabase } from '../helpers/test-database';
import { FIXTURES } from './fixtures';

const BASE = 'http://localhost:8080/fhir';
let db: Database;
let engine: SearchEngine;
let store: ResourceStore;

beforeAll(async () => {
  db = await createTestDatabase();
  engine = createSearchEngine();
  store = new ResourceStore(db.knex, engine.indexer);
  let t = Date.parse('2024-01-01T00:00:00Z');
  for (const r of FIXTURES) await store.update(undefined, r, { now: new Date((t += 1000)) });
  await store.delete(undefined, 'Patient', 'pdel', new Date((t += 1000)));
  await store.delete(undefined, 'Organization', 'o2', new Date((t += 1000)));
});
afterAll(async () => {
  await db?.close();
});

function q(query: string): Array<[string, string]> {
  return [...new URLSearchParams(query)];
}
async function search(type: string | undefined, query: string, strict = false): Promise<Bundle> {
  return engine.search(db.knex, { resourceType: type, params: q(query), baseUrl: BASE, strict });
}
function ids(b: Bundle, mode = 'match'): string[] {
  return (b.entry ?? []).filter((e) => e.search?.mode === mode).map((e) => e.resource!.id!).sort();
}

// [resource type, query, expected matching ids]
const CASES: Array<[string, string, string[]]> = [
  // string: starts-with, case and accent insensitive; :exact; :contains
  ['Patient', 'name=chal', ['p1']],
  ['Patient', 'name=PETER', ['p1']],
  ['Patient', 'name=muller', ['p2']],
  ['Patient', 'name=zoe', ['p2']],
  ['Patient', 'family:exact=Chalmers', ['p1']],
  ['Patient', 'family:exact=chalmers', []],
  ['Patient', 'name:contains=alme', ['p1']],
  ['Patient', 'name=chal,smi', ['p1', 'p3']],
  ['Patient', 'address-city=pleasant', ['p1']],
  ['Patient', 'address=534', ['p1']],
  ['Patient', 'address=erewhon', []],
  ['Patient', 'name=nobody', []],
  // token
  ['Patient', 'gender=male', ['p1']],
  ['Patient', 'gender=male,female', ['p1', 'p2']],
  ['Patient', 'gender:not=male', ['p2', 'p3']],
  ['Patient', 'identifier=urn:oid:1.2.36.146.595.217.0.1|12345', ['p1']],
  ['Patient', 'identifier=12345', ['p1']],
  ['Patient', 'identifier=http://hospital.example/mrn|', ['p2']],
  ['Patient', 'identifier=|12345', []],
  ['Patient', 'identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|12345', ['p1']],
  ['Patient', 'active=true', ['p1']],
  ['Patient', 'active=false', ['p3']],
  ['Patient', 'phone=(03) 5555 6473', ['p1']],
  ['Patient', 'email=peter@example.org', ['p1']],
  ['Patient', 'gender:in=http://hl7.org/fhir/ValueSet/administrative-gender', ['p1', 'p2', 'p3']],
  ['Observation', 'code=http://loinc.org|29463-7', ['obs1', 'obs5']],
  ['Observation', 'code=29463-7,8302-2', ['obs1', 'obs2', 'obs5']],
  ['Observation', 'code:text=body', ['obs1', 'obs2']],
  ['Observation', 'code:text=weight', ['obs1']],
  ['Observation', 'status=final&code=http://loinc.org|', ['obs1', 'obs2', 'obs4', 'obs5']],
  ['Observation', 'category=vital-signs', ['obs1']],
  ['Observation', 'status:below=http://hl7.org/fhir/observation-status|amended', ['obs7']],
  ['Observation', 'status:above=http://hl7.org/fhir/observation-status|corrected', ['obs7']],
  ['Observation', 'status:below=http://hl7.org/fhir/observation-status|final', ['obs1', 'obs2', 'obs4', 'obs5', 'obs6']],
  ['Observation', 'status:not-in=http://hl7.org/fhir/ValueSet/observation-status', []],
  ['Observation', 'code:in=http://hl7.org/fhir/ValueSet/observation-status', []],
  ['Patient', '_tag=http://example.org/tags|vip', ['p1']],
  ['Patient', '_profile=http://example.org/fhir/StructureDefinition/my-patient', ['p1']],
  ['Patient', '_source=http://example.org/source#a', ['p1']],
  ['Patient', '_id=p1,p3', ['p1', 'p3']],
  ['Patient', '_id=pdel', []],
  // date: precision ranges, time zones, prefixes
  ['Patient', 'birthdate=1974', ['p1']],
  ['Patient', 'birthdate=1974-12', ['p1']],
  ['Patient', 'birthdate=1974-12-25', ['p1']],
  ['Patient', 'birthdate=1974-12-26', []],
  ['Patient', 'birthdate=1980', ['p2']],
  ['Patient', 'birthdate=1980-03-15', []],
  ['Patient', 'birthdate=ge1980-03-15', ['p2']],
  ['Patient', 'birthdate=gt1975', ['p2']],
  ['Patient', 'birthdate=lt1980', ['p1']],
  ['Patient', 'birthdate=le1980-03', ['p1', 'p2']],
  ['Patient', 'birthdate=ne1974', ['p2']],
  ['Patient', 'birthdate=sa1974-12-25', ['p2']],
  ['Patient', 'birthdate=eb1980-03-01', ['p1']],
  ['Patient', 'birthdate=ap1974-12-20', ['p1']],
  ['Observation', 'date=2020-01-15', ['obs1', 'obs4']],
  ['Observation', 'date=2020-01-15T08:00:00Z', ['obs1']],
  ['Observation', 'date=2020-01-15T08:00:01Z', []],
  ['Observation', 'date=ge2020-01-15T08:00:00Z&date=lt2020-01-15T09:00:00Z', ['obs1']],
  ['Observation', 'date=ge2020-01-01&date=le2020-01-31', ['obs1', 'obs4']],
  ['Observation', 'date=gt2020-01-31&date=lt2021-06', ['obs2', 'obs3']],
  ['Encounter', 'date=ge2020-01-15T10:00:00Z&date=le2020-01-15T10:30:00Z', ['e1']],
  ['Encounter', 'date=ge2020-01-15T11:00:00Z&date=le2020-01-15T12:00:00Z', []],
  ['Observation', 'date=2020-01-15T10:00:00%2B02:00', ['obs1']],
  ['Observation', 'date=2020-01-15T10:00:00-02:00', []],
  ['Observation', 'date=2020-01-15T10:00%2B02:00', ['obs1']],
  ['Observation', 'date=2020-02', ['obs2']],
  ['Observation', 'date=2020-02-02', []],
  ['Observation', 'date=gt2020-02-02', ['obs2', 'obs3']],
  ['Observation', 'date=2021', ['obs3']],
  ['Observation', 'date=sa2020-01-31', ['obs2', 'obs3']],
  ['Observation', 'date=eb2020-02-01', ['obs1', 'obs4']],
  ['Encounter', 'date=2020-01-15T10:00:00Z', []],
  ['Encounter', 'date=2020-01-15', ['e1']],
  ['Encounter', 'date=ap2020-01-15T10:00:00Z', ['e1']],
  ['Patient', '_lastUpdated=ge2024-01-01T00:00:04Z', ['p2', 'p3']],
  // number: significant figures
  ['RiskAssessment', 'probability=0.25', ['ra1']],
  ['RiskAssessment', 'probability=0.2', []],
  ['RiskAssessment', 'probability=0.3', ['ra1']],
  ['RiskAssessment', 'probability=0.35', []],
  ['RiskAssessment', 'probability=1e2', ['ra2']],
  ['RiskAssessment', 'probability=gt0.5', ['ra2']],
  ['RiskAssessment', 'probability=lt1', ['ra1']],
  ['RiskAssessment', 'probability=ap0.24', ['ra1']],
  ['RiskAssessment', 'probability=ne0.25', ['ra2']],
  // quantity
  ['Observation', 'value-quantity=70', ['obs1']],
  ['Observation', 'value-quantity=70|http://unitsofmeasure.org|kg', ['obs1']],
  ['Observation', 'value-quantity=70000|http://unitsofmeasure.org|g', ['obs1']],
  ['Observation', 'value-quantity=70||kg', ['obs1']],
  ['Observation', 'value-quantity=70||cm', []],
  ['Observation', 'value-quantity=gt100', ['obs2']],
  ['Observation', 'value-quantity=5400|http://unitsofmeasure.org|mg', ['obs4']],
  ['Observation', 'value-quantity=le5.4|http://unitsofmeasure.org|g', ['obs4']],
  ['Observation', 'value-quantity=ap160||cm', ['obs2']],
  ['Observation', 'component-value-quantity=gt100', ['obs3']],
  // composite
  ['Observation', 'code-value-quantity=http://loinc.org|29463-7$gt60', ['obs1', 'obs5']],
  ['Observation', 'code-value-quantity=http://loinc.org|29463-7$gt80', ['obs5']],
  ['Observation', 'code-value-quantity=http://loinc.org|29463-7$lt60', []],
  ['Observation', 'component-code-value-quantity=http://loinc.org|8480-6$gt100', ['obs3']],
  ['Observation', 'component-code-value-quantity=http://loinc.org|8462-4$gt100', []],
  // reference
  ['Observation', 'subject=Patient/p1', ['obs1', 'obs3', 'obs4']],
  ['Observation', 'subject=p1', ['obs1', 'obs3', 'obs4']],
  ['Observation', `subject=${BASE}/Patient/p2`, ['obs2']],
  ['Observation', 'subject:Patient=p2', ['obs2']],
  ['Observation', 'patient=p2', ['obs2']],
  ['Observation', 'subject=Patient/p1/_history/1', ['obs4']],
  ['Observation', 'performer=Practitioner/dr1', ['obs1']],
  ['Organization', 'partof=Organization/o1', []],
  // uri
  ['ValueSet', 'url=http://example.org/fhir/ValueSet/abc', ['vs1']],
  ['ValueSet', 'url:below=http://example.org/fhir', ['vs1']],
  ['ValueSet', 'url:above=http://example.org/fhir/ValueSet/abc/extra', ['vs1']],
  ['ValueSet', 'url=http://example.org/fhir', []],
  // :missing
  ['Patient', 'birthdate:missing=true', ['p3']],
  ['Patient', 'birthdate:missing=false', ['p1', 'p2']],
  ['Patient', 'organization:missing=true', ['p3']],
  // chains (several levels), through deleted resources
  ['Observation', 'subject:Patient.name=peter', ['obs1', 'obs3', 'obs4']],
  ['Observation', 'subject.name=zoe', ['obs2']],
  ['Observation', 'subject:Patient.name=gone', []],
  ['Observation', 'subject:Patient.organization.name=acme', ['obs1', 'obs3', 'obs4']],
  ['Observation', 'subject:Patient.organization.name=gone', []],
  ['Observation', 'subject:Patient._id=p2', ['obs2']],
  ['Observation', 'subject:Patient.general-practitioner:Practitioner.family=careful', ['obs1', 'obs3', 'obs4']],
  // reverse chains, nested
  ['Patient', '_has:Observation:patient:code=29463-7', ['p1']],
  ['Patient', '_has:Observation:subject:code=8302-2', ['p2']],
  ['Patient', '_has:Observation:subject:_has:DiagnosticReport:result:status=final', ['p2']],
  ['Patient', '_has:Observation:subject:_has:DiagnosticReport:result:status=registered', []],
  ['Patient', '_has:Immunization:patient:vaccine-code=208', ['p2']],
  // _list, _text, _content
  ['Patient', '_list=l1', ['p1', 'p3']],
  ['Patient', '_text=friendly', ['p1']],
  ['Patient', '_text=peanuts', ['p2']],
  ['Patient', '_content=pleasantville', ['p1']],
  ['Patient', '_content=peanuts', ['p2']],
  ['Patient', '_content=erewhon OR smith', ['p1', 'p3']],
  // special: near
  ['Location', 'near=42.256|-83.694|10|km', ['loc1']],
  ['Location', 'near=42.256|-83.694|10000|km', ['loc1', 'loc2']],
  // token with absent system vs system
  ['Immunization', 'vaccine-code=http://hl7.org/fhir/sid/cvx|207', ['i1']],
  ['Immunization', 'date=2021', ['i1', 'i2']],
];

describe.each(CASES)('%s?%s', (type, query, expected) => {
  test(`matches ${expected.join(',') || 'nothing'}`, async () => {
    const b = await search(type, query);
    expect(ids(b)).toEqual(expected);
    expect(b.type).toBe('searchset');
  });
});
