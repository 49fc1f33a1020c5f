import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Patient } from 'fhir/r4';
import { startTestServer } from '../helpers/test-server';
import type { TestServer } from '../helpers/test-server';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.stop());

const json = { 'content-type': 'application/fhir+json' };
const patient = (mrn: string, family = 'Okafor'): Patient => ({
  resourceType: 'Patient',
  identifier: [{ system: 'https://clinic-b.example/mrn', value: mrn }],
  name: [{ family, given: ['Chidi'] }],
});

async function countByIdentifier(mrn: string): Promise<number> {
  const bundle = (await (await t.http(`/Patient?identifier=${encodeURIComponent(`https://clinic-b.example/mrn|${mrn}`)}&_total=accurate`)).json()) as Bundle;
  return bundle.total ?? bundle.entry?.length ?? 0;
}

describe('conditional create (If-None-Exist)', () => {
  it('creates once, then returns the existing resource with 200', async () => {
    const first = await t.http('/Patient', { method: 'POST', headers: { ...json, 'if-none-exist': 'identifier=https://clinic-b.example/mrn|c-1' }, body: JSON.stringify(patient('c-1')) });
    expect(first.status).toBe(201);
    const created = (await first.json()) as Patient;
    const second = await t.http('/Patient', { method: 'POST', headers: { ...json, 'if-none-exist': 'identifier=https://clinic-b.example/mrn|c-1' }, body: JSON.stringify(patient('c-1')) });
    expect(second.status).toBe(200);
    expect(((await second.json()) as Patient).id).toBe(created.id);
  });

  it('rejects criteria with an unknown parameter instead of ignoring it', async () => {
    const res = await t.http('/Patient', { method: 'POST', headers: { ...json, 'if-none-exist': 'identifer=x|1' }, body: JSON.stringify(patient('c-x')) });
    expect(res.status).toBe(400);
  });

  it('20 concurrent identical conditional creates leave exactly one resource', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.http('/Patient', { method: 'POST', headers: { ...json, 'if-none-exist': 'identifier=https://clinic-b.example/mrn|race-1' }, body: JSON.stringify(patient('race-1')) }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(19);
    expect(await countByIdentifier('race-1')).toBe(1);
  });
});

describe('version-aware concurrent updates', () => {
  it('of 10 concurrent updates with the same If-Match exactly one wins, the rest get 412', async () => {
    const created = (await t.client.create({ resourceType: 'Patient', body: patient('ifm-1') })) as Patient;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t.http(`/Patient/${created.id}`, { method: 'PUT', headers: { ...json, 'if-match': 'W/"1"' }, body: JSON.stringify({ ...created, name: [{ family: `Writer${i}` }] }) }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(9);
    const hist = (await t.client.history({ resourceType: 'Patient', id: created.id! })) as Bundle;
    expect(hist.entry).toHaveLength(2);
  });

  it('concurrent update-as-create of one new client id creates it once', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => t.http('/Patient/new-client-id', { method: 'PUT', headers: json, body: JSON.stringify({ ...patient(`nc-${i}`), id: 'new-client-id' }) })),
    );
    expect(results.map((r) => r.status).filter((s) => s === 201)).toHaveLength(1);
    expect(results.every((r) => r.status === 200 || r.status === 201)).toBe(true);
  });
});

describe('conditional update and delete', () => {
  it('conditional update creates when nothing matches, updates one match, 412 on several', async () => {
    const crit = 'identifier=https://clinic-b.example/mrn|cu-1';
    const created = await t.http(`/Patient?${crit}`, { method: 'PUT', headers: json, body: JSON.stringify(patient('cu-1')) });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as Patient).id;
    const updated = await t.http(`/Patient?${crit}`, { method: 'PUT', headers: json, body: JSON.stringify(patient('cu-1', 'Changed')) });
    expect(updated.status).toBe(200);
    const body = (await updated.json()) as Patient;
    expect(body.id).toBe(id);
    expect(body.name?.[0].family).toBe('Changed');
    await t.client.create({ resourceType: 'Patient', body: patient('dup', 'Same') });
    await t.client.create({ resourceType: 'Patient', body: patient('dup', 'Same') });
    const many = await t.http('/Patient?identifier=https://clinic-b.example/mrn|dup', { method: 'PUT', headers: json, body: JSON.stringify(patient('dup')) });
    expect(many.status).toBe(412);
  });

  it('conditional delete removes the single match', async () => {
    const created = (await t.client.create({ resourceType: 'Patient', body: patient('cd-1') })) as Patient;
    const res = await t.http('/Patient?identifier=https://clinic-b.example/mrn|cd-1', { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect((await t.http(`/Patient/${created.id}`)).status).toBe(410);
  });
});
