import { randomInt } from 'node:crypto';
import type { Immunization, Parameters, Patient } from 'fhir/r4';
import type { TestServer } from '../helpers/test-server';

const LETTERS = 'bcdfghjklmnpqrstvwxz';
const VOWELS = 'aeiou';
/** A random pronounceable name, so record linkage does not link test patients by accident. */
export function randomName(syllables = 4): string {
  let out = '';
  for (let i = 0; i < syllables; i++) out += LETTERS[randomInt(LETTERS.length)] + VOWELS[randomInt(VOWELS.length)];
  return out[0].toUpperCase() + out.slice(1);
}

/** Creates a Patient (random distinct name) over HTTP; returns its id. */
export async function createPatient(t: TestServer, birthDate: string | undefined, clinic?: string): Promise<string> {
  const body: Patient = { resourceType: 'Patient', name: [{ family: randomName(), given: [randomName(3)] }], ...(birthDate ? { birthDate } : {}), ...(clinic ? { managingOrganization: { reference: `Organization/${clinic}` } } : {}) };
  const res = await t.http('/Patient', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`create Patient: ${res.status} ${await res.text()}`);
  return ((await res.json()) as Patient).id!;
}

/** An Immunization resource for a dose. */
export function immunization(patientId: string, cvx: string, date: string, clinic: string, status: Immunization['status'] = 'completed'): Immunization {
  return {
    resourceType: 'Immunization',
    status,
    vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: cvx }] },
    patient: { reference: `Patient/${patientId}` },
    occurrenceDateTime: date,
    performer: [{ actor: { reference: `Organization/${clinic}` } }],
  };
}

/** Records a dose over HTTP; returns the Immunization id. */
export async function vaccinate(t: TestServer, patientId: string, cvx: string, date: string, clinic = 'clinic-a'): Promise<string> {
  const res = await t.http('/Immunization', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(immunization(patientId, cvx, date, clinic)) });
  if (res.status !== 201) throw new Error(`create Immunization: ${res.status} ${await res.text()}`);
  return ((await res.json()) as Immunization).id!;
}

/** Updates an Immunization's status (e.g. entered-in-error) over HTTP; a deleted one is left alone. */
export async function setStatus(t: TestServer, id: string, status: Immunization['status']): Promise<void> {
  const res = await t.http(`/Immunization/${id}`);
  if (res.status === 410) return; // deleted meanwhile (random workloads)
  const imm = (await res.json()) as Immunization;
  const put = await t.http(`/Immunization/${id}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ ...imm, status }) });
  if (put.status !== 200 && put.status !== 201) throw new Error(`update Immunization: ${put.status} ${await put.text()}`);
}

/** GET $vaccination-counts → the three counts. */
export async function counts(t: TestServer, query: Record<string, string> = {}): Promise<{ fully: number; partially: number; not: number }> {
  const qs = new URLSearchParams({ 'vaccine-group': 'COVID-19', ...query });
  const res = await t.http(`/$vaccination-counts?${qs}`);
  if (res.status !== 200) throw new Error(`counts: ${res.status} ${await res.text()}`);
  const p = (await res.json()) as Parameters;
  const v = (name: string) => p.parameter!.find((x) => x.name === name)!.valueInteger!;
  return { fully: v('fully-vaccinated'), partially: v('partially-vaccinated'), not: v('not-vaccinated') };
}

/** GET Patient/{id}/$immunization-status → the status code of COVID-19 and the Parameters. */
export async function statusOf(t: TestServer, patientId: string, query = ''): Promise<{ status: string; params: Parameters }> {
  const res = await t.http(`/Patient/${patientId}/$immunization-status?vaccine-group=COVID-19${query}`);
  if (res.status !== 200) throw new Error(`status: ${res.status} ${await res.text()}`);
  const params = (await res.json()) as Parameters;
  const s = params.parameter!.find((p) => p.name === 'status')!.part!.find((x) => x.name === 'status')!.valueCode!;
  return { status: s, params };
}

/** Links patients into one person (as a merge does), in one transaction. */
export async function merge(t: TestServer, into: string, patientIds: string[]): Promise<void> {
  const { store, persons } = t.services;
  await store.transaction(undefined, async (trx) => {
    const person = (await persons.personOf(trx, into)) ?? (await persons.ensurePerson(trx, into));
    await persons.assign(trx, patientIds, person, 'merge');
  });
}

/** Moves a patient out into a new person of its own (unmerge). */
export async function unmerge(t: TestServer, patientId: string, newPersonId: string): Promise<void> {
  const { store, persons } = t.services;
  await store.transaction(undefined, (trx) => persons.assign(trx, [patientId], newPersonId, 'manual'));
}
