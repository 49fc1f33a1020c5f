import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Encounter, Observation, Patient } from 'fhir/r4';
import { startTestServer } from '../helpers/test-server';
import type { TestServer } from '../helpers/test-server';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.stop());

const fixture = (name: string) => JSON.parse(readFileSync(`test/fixtures/fhir-examples/json/${name}`, 'utf8')) as Bundle;
const post = (body: unknown) => t.http('', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });
const count = async (type: string) => ((await (await t.http(`/${type}?_summary=count&_total=accurate`)).json()) as Bundle).total ?? 0;

describe('transaction', () => {
  it('fails with 404 when a conditional reference matches nothing, writing nothing', async () => {
    const before = await count('Encounter');
    const res = await post(fixture('msfhir-Bundle-TransactionWithReferenceInResourceBody.json'));
    expect(res.status).toBe(404);
    expect(JSON.stringify(await res.json())).toContain('Patient?identifier=http:/example.org/fhir/ids|234234');
    expect(await count('Encounter')).toBe(before);
  });

  it('rewrites urn:uuid and conditional references (official Microsoft test bundle)', async () => {
    const target = (await t.client.create({ resourceType: 'Patient', body: { resourceType: 'Patient', identifier: [{ system: 'http:/example.org/fhir/ids', value: '234234' }] } as Patient })) as Patient;
    const res = await post(fixture('msfhir-Bundle-TransactionWithReferenceInResourceBody.json'));
    expect(res.status).toBe(200);
    const out = (await res.json()) as Bundle;
    expect(out.type).toBe('transaction-response');
    expect(out.entry?.every((e) => e.response?.status === '201')).toBe(true);
    const locations = out.entry!.map((e) => e.response!.location!);
    for (const loc of locations) expect(loc).toMatch(/\/_history\/1$/);
    const encounter = out.entry!.find((e) => e.resource?.resourceType === 'Encounter')!.resource as Encounter;
    const patientRef = encounter.subject?.reference;
    expect(patientRef).toMatch(/^Patient\/[0-9a-f-]{36}$/);
    expect((await t.http(`/${patientRef}`)).status).toBe(200);
    const observations = out.entry!.filter((e) => e.resource?.resourceType === 'Observation').map((e) => e.resource as Observation);
    for (const o of observations) expect(o.subject?.reference).toBe(`Patient/${target.id}`);
  });

  it('is all or nothing: one failing entry rolls back every other entry', async () => {
    const patientsBefore = await count('Patient');
    const res = await post(fixture('msfhir-Bundle-Transaction.json'));
    expect(res.status).toBeGreaterThanOrEqual(400);
    const outcome = (await res.json()) as any;
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0].diagnostics).toMatch(/Bundle\.entry\[\d+\]/);
    expect(await count('Patient')).toBe(patientsBefore);
  });

  it('resolves conditional creates and conditional references inside the bundle', async () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:11111111-1111-4111-8111-111111111111', resource: { resourceType: 'Patient', identifier: [{ system: 'urn:tessera:test', value: 'tx-1' }] } as Patient, request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:tessera:test|tx-1' } },
        { resource: { resourceType: 'Observation', status: 'final', code: { text: 'a' }, subject: { reference: 'urn:uuid:11111111-1111-4111-8111-111111111111' } } as Observation, request: { method: 'POST', url: 'Observation' } },
      ],
    };
    const first = (await (await post(bundle)).json()) as Bundle;
    expect(first.entry?.[0].response?.status).toBe('201');
    const patientId = first.entry![0].resource!.id;
    const second = (await (await post(bundle)).json()) as Bundle;
    expect(second.entry?.[0].response?.status).toBe('200');
    expect((second.entry![1].resource as Observation).subject?.reference).toBe(`Patient/${patientId}`);

    const conditionalRef: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: { resourceType: 'Observation', status: 'final', code: { text: 'b' }, subject: { reference: 'Patient?identifier=urn:tessera:test|tx-1' } } as Observation, request: { method: 'POST', url: 'Observation' } }],
    };
    const third = (await (await post(conditionalRef)).json()) as Bundle;
    expect((third.entry![0].resource as Observation).subject?.reference).toBe(`Patient/${patientId}`);
  });

  it('rejects the official conditional-update bundle whose ImagingStudy lacks required elements, writing nothing', async () => {
    const before = await count('Patient');
    const res = await post(fixture('msfhir-Bundle-TransactionWithConditionalUpdateAndReference.json'));
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('modality');
    expect(await count('Patient')).toBe(before);
  });

  it('conditional update entries are resolved before references, twice without duplicates', async () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:22222222-1111-4111-8111-111111111111', resource: { resourceType: 'Patient', identifier: [{ system: 'urn:tessera:test', value: 'cu-tx' }], name: [{ family: 'Cond' }] } as Patient, request: { method: 'PUT', url: 'Patient?identifier=urn:tessera:test|cu-tx' } },
        { fullUrl: 'urn:uuid:33333333-1111-4111-8111-111111111111', resource: { resourceType: 'Encounter', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: 'urn:uuid:22222222-1111-4111-8111-111111111111' } } as Encounter, request: { method: 'POST', url: 'Encounter' } },
      ],
    };
    const ids = new Set<string>();
    for (const expected of ['201', '200']) {
      const res = await post(bundle);
      expect(res.status).toBe(200);
      const out = (await res.json()) as Bundle;
      expect(out.entry?.[0].response?.status).toBe(expected);
      const encounter = out.entry![1].resource as Encounter;
      expect(encounter.subject?.reference).toBe(`Patient/${out.entry![0].resource!.id}`);
      ids.add(out.entry![0].resource!.id!);
    }
    expect(ids.size).toBe(1);
  });

  it('rejects an unresolvable urn:uuid reference with 400 and writes nothing', async () => {
    const before = await count('Observation');
    const res = await post({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Observation', status: 'final', code: { text: 'c' }, subject: { reference: 'urn:uuid:99999999-1111-4111-8111-111111111111' } }, request: { method: 'POST', url: 'Observation' } }] });
    expect(res.status).toBe(400);
    expect(await count('Observation')).toBe(before);
  });
});

describe('batch', () => {
  it('processes every entry independently and reports each outcome (official Microsoft batch)', async () => {
    const res = await post(fixture('msfhir-Bundle-Batch.json'));
    expect(res.status).toBe(200);
    const out = (await res.json()) as Bundle;
    expect(out.type).toBe('batch-response');
    expect(out.entry).toHaveLength(10);
    const statuses = out.entry!.map((e) => e.response!.status);
    expect(statuses[0]).toBe('201');
    expect(statuses[8]).toBe('200');
    expect(statuses[9]).toBe('404');
    expect(out.entry![9].response?.outcome?.resourceType).toBe('OperationOutcome');
  });

  it('rejects a Bundle that is neither batch nor transaction', async () => {
    const res = await post({ resourceType: 'Bundle', type: 'collection', entry: [] });
    expect(res.status).toBe(400);
  });
});
