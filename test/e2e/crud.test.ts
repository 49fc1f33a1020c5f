import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Patient } from 'fhir/r4';
import { expectHttpError, startTestServer } from '../helpers/test-server';
import type { TestServer } from '../helpers/test-server';

const patient = (family: string, extra: Partial<Patient> = {}): Patient => ({
  resourceType: 'Patient',
  identifier: [{ system: 'https://clinic-a.example/mrn', value: `mrn-${family}` }],
  name: [{ family, given: ['Ada'] }],
  gender: 'female',
  birthDate: '1990-04-12',
  ...extra,
});

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.stop());

describe('create, read, vread', () => {
  it('creates with a server id and server-maintained meta, with Location, ETag and Last-Modified', async () => {
    const res = await t.http('/Patient', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ ...patient('Lovelace'), id: 'ignored-id' }) });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Patient;
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.meta?.versionId).toBe('1');
    expect(new Date(body.meta!.lastUpdated!).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(res.headers.get('location')).toBe(`${t.baseUrl}/Patient/${body.id}/_history/1`);
    expect(res.headers.get('etag')).toBe('W/"1"');
    expect(res.headers.get('last-modified')).toBe(new Date(body.meta!.lastUpdated!).toUTCString());
    expect(res.headers.get('content-type')).toContain('application/fhir+json');

    const read = (await t.client.read({ resourceType: 'Patient', id: body.id! })) as Patient;
    expect(read).toEqual(body);
    const v1 = (await t.client.vread({ resourceType: 'Patient', id: body.id!, version: '1' })) as Patient;
    expect(v1).toEqual(body);
  });

  it('answers 404 for an unknown id and for an unknown version', async () => {
    expect((await expectHttpError(() => t.client.read({ resourceType: 'Patient', id: 'nope' }))).status).toBe(404);
    const created = (await t.client.create({ resourceType: 'Patient', body: patient('Vread') })) as Patient;
    const err = await expectHttpError(() => t.client.vread({ resourceType: 'Patient', id: created.id!, version: '7' }));
    expect(err.status).toBe(404);
    expect(err.data.issue[0].diagnostics).toContain('no version 7');
  });
});

describe('update', () => {
  it('creates a new version on change and none when nothing changed', async () => {
    const created = (await t.client.create({ resourceType: 'Patient', body: patient('Hopper') })) as Patient;
    const updated = (await t.client.update({ resourceType: 'Patient', id: created.id!, body: { ...created, gender: 'other' } })) as Patient;
    expect(updated.meta?.versionId).toBe('2');
    expect(updated.gender).toBe('other');
    const same = (await t.client.update({ resourceType: 'Patient', id: created.id!, body: updated })) as Patient;
    expect(same.meta?.versionId).toBe('2');
    const v1 = (await t.client.vread({ resourceType: 'Patient', id: created.id!, version: '1' })) as Patient;
    expect(v1.gender).toBe('female');
  });

  it('update as create with a client id answers 201, then 200', async () => {
    const res = await t.http('/Patient/client-id.1', { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ ...patient('Client'), id: 'client-id.1' }) });
    expect(res.status).toBe(201);
    const again = await t.http('/Patient/client-id.1', { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ ...patient('Client2'), id: 'client-id.1' }) });
    expect(again.status).toBe(200);
    expect(((await again.json()) as Patient).meta?.versionId).toBe('2');
  });

  it('rejects a body id that differs from the URL, a missing body id and an invalid client id', async () => {
    const mismatch = await expectHttpError(() => t.client.update({ resourceType: 'Patient', id: 'abc', body: { ...patient('X'), id: 'xyz' } }));
    expect(mismatch.status).toBe(400);
    expect(mismatch.data.issue[0].diagnostics).toContain("'xyz' does not match the URL id 'abc'");
    const missing = await t.http('/Patient/abc', { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(patient('X')) });
    expect(missing.status).toBe(400);
    const badId = await t.http(`/Patient/${'x'.repeat(65)}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ ...patient('X'), id: 'x'.repeat(65) }) });
    expect(badId.status).toBe(400);
    expect(((await badId.json()) as any).resourceType).toBe('OperationOutcome');
  });

  it('honours If-Match: 412 on a stale version', async () => {
    const created = (await t.client.create({ resourceType: 'Patient', body: patient('Turing') })) as Patient;
    const ok = await t.http(`/Patient/${created.id}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json', 'if-match': 'W/"1"' }, body: JSON.stringify({ ...created, gender: 'male' }) });
    expect(ok.status).toBe(200);
    const stale = await t.http(`/Patient/${created.id}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json', 'if-match': 'W/"1"' }, body: JSON.stringify({ ...created, gender: 'other' }) });
    expect(stale.status).toBe(412);
    expect(((await stale.json()) as any).issue[0].diagnostics).toContain('current version is 2');
  });
});

describe('Prefer: return', () => {
  it('minimal returns no body, OperationOutcome returns an outcome, representation the resource', async () => {
    const send = (prefer: string) => t.http('/Patient', { method: 'POST', headers: { 'content-type': 'application/fhir+json', prefer }, body: JSON.stringify(patient('Prefer')) });
    const minimal = await send('return=minimal');
    expect(minimal.status).toBe(201);
    expect(await minimal.text()).toBe('');
    expect(minimal.headers.get('location')).toMatch(/\/Patient\/.+\/_history\/1$/);
    const oo = await send('return=OperationOutcome');
    expect(((await oo.json()) as any).resourceType).toBe('OperationOutcome');
    const rep = await send('return=representation');
    expect(((await rep.json()) as any).resourceType).toBe('Patient');
  });
});

describe('delete and history', () => {
  it('keeps history, answers 410 after delete, continues versions on re-create', async () => {
    const created = (await t.client.create({ resourceType: 'Patient', body: patient('Curie') })) as Patient;
    await t.client.update({ resourceType: 'Patient', id: created.id!, body: { ...created, gender: 'unknown' } });
    const del = await t.http(`/Patient/${created.id}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    const gone = await expectHttpError(() => t.client.read({ resourceType: 'Patient', id: created.id! }));
    expect(gone.status).toBe(410);
    const again = await t.http(`/Patient/${created.id}`, { method: 'DELETE' });
    expect(again.status).toBe(200);

    const hist = (await t.client.history({ resourceType: 'Patient', id: created.id! })) as Bundle;
    expect(hist.type).toBe('history');
    expect(hist.entry?.map((e) => e.request?.method)).toEqual(['DELETE', 'PUT', 'POST']);
    expect(hist.entry?.[0].resource).toBeUndefined();
    expect(hist.entry?.[2].resource?.meta?.versionId).toBe('1');

    const recreated = await t.http(`/Patient/${created.id}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ ...patient('Curie'), id: created.id }) });
    expect(recreated.status).toBe(201);
    expect(((await recreated.json()) as Patient).meta?.versionId).toBe('4');
  });

  it('pages type and system history with _count and filters with _since and _at', async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(((await t.client.create({ resourceType: 'Observation', body: { resourceType: 'Observation', status: 'final', code: { text: `h${i}` } } })) as any).id);
    const page1 = (await (await t.http(`/Observation/_history?_count=2&_since=${encodeURIComponent(before)}`)).json()) as Bundle;
    expect(page1.entry).toHaveLength(2);
    const next = page1.link?.find((l) => l.relation === 'next')?.url;
    expect(next).toBeDefined();
    const all: string[] = [...page1.entry!.map((e) => e.resource!.id!)];
    let url = next;
    while (url) {
      const page = (await (await fetch(url)).json()) as Bundle;
      all.push(...(page.entry ?? []).map((e) => e.resource!.id!));
      url = page.link?.find((l) => l.relation === 'next')?.url;
    }
    expect(all).toEqual([...ids].reverse());
    const system = (await (await t.http('/_history?_count=3')).json()) as Bundle;
    expect(system.entry).toHaveLength(3);

    const obs = (await t.client.read({ resourceType: 'Observation', id: ids[0] })) as any;
    const at = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await t.client.update({ resourceType: 'Observation', id: ids[0], body: { ...obs, status: 'amended' } });
    const atBundle = (await (await t.http(`/Observation/${ids[0]}/_history?_at=${encodeURIComponent(at)}`)).json()) as Bundle;
    expect(atBundle.entry?.map((e) => e.resource?.meta?.versionId)).toEqual(['1']);
    const bad = await t.http('/Observation/_history?_since=yesterday');
    expect(bad.status).toBe(400);
  });
});
