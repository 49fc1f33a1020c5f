import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { OperationOutcome } from 'fhir/r4';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { counts } from './tracking-helpers';

let t: TestServer;
let api: (path: string, init?: RequestInit) => Promise<Response>;
beforeAll(async () => {
  t = await startTestServer();
  api = (path, init) => fetch(`${t.baseUrl.replace(/\/fhir$/, '')}/api${path}`, init);
});
afterAll(async () => {
  await t?.stop();
});

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const csv = (body: string): RequestInit => ({ method: 'POST', headers: { 'content-type': 'text/csv' }, body });
const ada = { given: 'Ada', family: 'Lovelace', birthDate: '1985-12-10', sex: 'female' };

describe('seed API', () => {
  test('OpenAPI description is served', async () => {
    const res = await api('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/patients', '/api/patients/{id}', '/api/vaccines', '/api/clinics/{id}/reports']));
  });

  test('POST /api/patients creates once (idempotent on the clinic patient id), GET lists and reads it', async () => {
    const first = await api('/patients', json({ clinic: 'elm', patientId: 'E-1', phi: ada }));
    expect(first.status).toBe(201);
    const created = (await first.json()) as { id: string; personId: string };
    const again = await api('/patients', json({ clinic: 'elm', patientId: 'E-1', phi: { ...ada, phone: '+1 555 0100' } }));
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(created.id);
    const list = (await (await api('/patients?clinic=elm')).json()) as { patients: Array<{ id: string; phi: { family: string; phone?: string } }> };
    expect(list.patients).toEqual([expect.objectContaining({ id: created.id, phi: expect.objectContaining({ family: 'Lovelace', phone: '+1 555 0100' }) })]);
    const one = (await (await api(`/patients/${created.id}`)).json()) as { id: string; status: Record<string, string> };
    expect(one.status).toEqual({ 'COVID-19': 'not-vaccinated' });
  });

  test.each([
    ['missing birth date', { clinic: 'elm', phi: { family: 'X' } }, 'phi.birthDate'],
    ['bad birth date', { clinic: 'elm', phi: { family: 'X', birthDate: '31/12/1980' } }, 'phi.birthDate'],
    ['bad clinic id', { clinic: 'elm clinic', phi: ada }, 'clinic'],
    ['unknown phi field', { clinic: 'elm', phi: { ...ada, ssn: '123' } }, 'phi.ssn'],
  ])('POST /api/patients with %s → 400 naming %s', async (_name, body, where) => {
    const res = await api('/patients', json(body));
    expect(res.status).toBe(400);
    const oo = (await res.json()) as OperationOutcome;
    expect(oo.resourceType).toBe('OperationOutcome');
    expect(oo.issue.flatMap((i) => i.expression ?? [])).toContain(where);
  });

  test('GET /api/patients/{id}: 404 for an unknown id; malformed JSON body → 400 OperationOutcome', async () => {
    expect((await api('/patients/does-not-exist')).status).toBe(404);
    const bad = await api('/vaccines', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"vaccine":' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as OperationOutcome).resourceType).toBe('OperationOutcome');
  });

  test('POST /api/vaccines records doses; the person becomes fully vaccinated; a repeated record id adds nothing', async () => {
    const grace = { given: 'Grace', family: 'Hopper', birthDate: '1956-12-09', sex: 'f' };
    const before = await counts(t, { date: '2021-12-31' });
    const d1 = await api('/vaccines', json({ vaccine: '207', provider: 'Dr. Who', clinic: 'oak', phi: grace, date: '2021-02-01', recordId: 'R1' }));
    expect(d1.status).toBe(201);
    const r1 = (await d1.json()) as { id: string; patientId: string; status: Record<string, string> };
    expect(r1.status['COVID-19']).toBe('partially-vaccinated');
    const d2 = await api('/vaccines', json({ vaccine: 'Janssen COVID-19 Vaccine', provider: 'Dr. Who', clinic: 'oak', phi: grace, date: '2021-03-01', recordId: 'R2' }));
    const body2 = await d2.json();
    expect(d2.status, JSON.stringify(body2)).toBe(201);
    expect((body2 as { patientId: string; status: Record<string, string> }).patientId).toBe(r1.patientId);
    expect((body2 as { status: Record<string, string> }).status['COVID-19']).toBe('fully-vaccinated');
    const again = await api('/vaccines', json({ vaccine: '207', provider: 'Dr. Who', clinic: 'oak', phi: grace, date: '2021-02-01', recordId: 'R1' }));
    expect(again.status).toBe(200);
    expect(((await again.json()) as { result: string }).result).toBe('unchanged');
    expect(await counts(t, { date: '2021-12-31' })).toEqual({ ...before, fully: before.fully + 1 });
    const detail = (await (await api(`/patients/${r1.patientId}`)).json()) as { vaccinations: unknown[] };
    expect(detail.vaccinations).toHaveLength(2);
  });

  test('the same person vaccinated at two clinics is linked by PHI (record linkage) and counted once, fully vaccinated', async () => {
    const phi = { given: 'Katherine', family: 'Johnson', birthDate: '1968-08-26', sex: 'female', phone: '+1 555 0142', postcode: '24060' };
    const before = await counts(t, { date: '2021-12-31' });
    const r1 = (await (await api('/vaccines', json({ vaccine: '208', clinic: 'birch', phi, date: '2021-06-01', recordId: 'B-1' }))).json()) as { patientId: string; personId: string };
    const r2 = (await (await api('/vaccines', json({ vaccine: '208', clinic: 'cedar', phi: { ...phi, given: 'Kathy' }, date: '2021-06-25', recordId: 'C-7' }))).json()) as { patientId: string; personId: string; status: Record<string, string> };
    expect(r2.patientId).not.toBe(r1.patientId);
    expect(r2.personId).toBe(r1.personId);
    expect(r2.status['COVID-19']).toBe('fully-vaccinated');
    expect(await counts(t, { date: '2021-12-31' })).toEqual({ ...before, fully: before.fully + 1 });
  });

  test.each([
    ['unknown vaccine', { vaccine: 'snake oil', clinic: 'oak', phi: ada }, 'vaccine'],
    ['ambiguous vaccine name', { vaccine: 'Spikevax', clinic: 'oak', phi: ada }, 'vaccine'],
    ['future date', { vaccine: '208', clinic: 'oak', phi: ada, date: '2999-01-01' }, 'date'],
    ['no clinic', { vaccine: '208', phi: ada }, 'clinic'],
    ['unknown field', { vaccine: '208', clinic: 'oak', phi: ada, colour: 'red' }, 'colour'],
  ])('POST /api/vaccines with %s → 400 naming %s', async (_name, body, where) => {
    const res = await api('/vaccines', json(body));
    expect(res.status).toBe(400);
    expect(((await res.json()) as OperationOutcome).issue.flatMap((i) => i.expression ?? [])).toContain(where);
  });
});

const HEADER = 'record_id,patient_id,family,given,sex,birth_date,vaccine,date,provider,status';
const REPORT = [
  HEADER,
  'V1,P1,Curie,Marie,female,1967-11-07,208,2021-04-01,Nurse A,completed',
  'V2,P1,Curie,Marie,female,1967-11-07,208,2021-04-22,Nurse A,',
  'V3,P2,Noether,Emmy,female,1982-03-23,212,2021-05-05,Nurse B,',
  'V4,P3,Bad,Date,male,1990-02-31,208,2021-05-05,Nurse B,',
  'V5,P4,Turing,Alan,male,1992-06-23,999,2021-05-05,Nurse B,',
  ',P5,Missing,Record,male,1992-06-23,208,2021-05-05,Nurse B,',
].join('\n');

describe('clinic CSV reports', () => {
  test('good rows committed, bad rows reported with row number and reason, the same file twice adds nothing, the result is kept', async () => {
    const before = await counts(t, { date: '2021-12-31', clinic: 'pine' });
    const res = await api('/clinics/pine/reports', csv(REPORT));
    const result = (await res.json()) as { id: string; rows: number; created: number; rejected: number; unchanged: number; errors: Array<{ row: number; column?: string; reason: string }>; result: string };
    expect(res.status, JSON.stringify(result)).toBe(200);
    expect(result).toMatchObject({ rows: 6, created: 3, rejected: 3 });
    expect(result.errors.map((e) => [e.row, e.column])).toEqual([[4, 'birth_date'], [5, 'vaccine'], [6, 'record_id']]);
    expect(result.errors[0].reason).toMatch(/birth_date must be a date/);
    expect(await counts(t, { date: '2021-12-31', clinic: 'pine' })).toEqual({ fully: before.fully + 2, partially: before.partially, not: before.not });
    // Same file again: nothing new.
    const again = (await (await api('/clinics/pine/reports', csv(REPORT))).json()) as { created: number; unchanged: number; rejected: number };
    expect(again).toMatchObject({ created: 0, unchanged: 3, rejected: 3 });
    expect(await counts(t, { date: '2021-12-31', clinic: 'pine' })).toEqual({ fully: before.fully + 2, partially: before.partially, not: before.not });
    // The kept result, through FHIR and the clinic API.
    const stored = (await (await t.http(`/OperationOutcome/${result.id}`)).json()) as OperationOutcome;
    expect(stored.issue[0].diagnostics).toMatch(/6 rows, 3 created, 0 updated, 0 unchanged, 3 rejected/);
    expect(stored.issue.filter((i) => i.severity === 'error').map((i) => i.expression?.[0])).toEqual(['row[4].birth_date', 'row[5].vaccine', 'row[6].record_id']);
    expect((await api(`/clinics/pine/reports/${result.id}`)).status).toBe(200);
    expect((await api(`/clinics/other/reports/${result.id}`)).status).toBe(404);
  });

  test('a correction row (entered-in-error) with the same record id updates the record and the counts', async () => {
    const before = await counts(t, { date: '2021-12-31', clinic: 'pine' });
    const fix = [HEADER, 'V3,P2,Noether,Emmy,female,1982-03-23,212,2021-05-05,Nurse B,entered-in-error'].join('\n');
    const result = (await (await api('/clinics/pine/reports', csv(fix))).json()) as { updated: number };
    expect(result.updated).toBe(1);
    expect(await counts(t, { date: '2021-12-31', clinic: 'pine' })).toEqual({ fully: before.fully - 1, partially: before.partially, not: before.not + 1 });
  });

  test.each([
    ['a missing required column', 'record_id,family,birth_date,vaccine\nV1,A,1980-01-01,208', 400, /Required column 'date'/],
    ['an unknown column', `${HEADER},shoe_size\n`, 400, /Unknown column 'shoe_size'/],
  ])('a report with %s → %i', async (_name, body, status, message) => {
    const res = await api('/clinics/pine/reports', csv(body));
    expect(res.status).toBe(status);
    expect(((await res.json()) as OperationOutcome).issue.map((i) => i.diagnostics).join(' ')).toMatch(message);
  });

  test('a report that is not text/csv → 415', async () => {
    const res = await api('/clinics/pine/reports', json({ rows: [] }));
    expect(res.status).toBe(415);
  });
});
