import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Binary, DocumentReference, Patient } from 'fhir/r4';
import { startTestServer } from '../helpers/test-server';
import type { TestServer } from '../helpers/test-server';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.stop());

const json = { 'content-type': 'application/fhir+json' };

describe('XML and JSON', () => {
  it('accepts XML, answers XML by Accept and by _format, JSON by default', async () => {
    const xml = readFileSync('test/fixtures/fhir-examples/xml/patient-example.xml', 'utf8');
    const created = await t.http('/Patient', { method: 'POST', headers: { 'content-type': 'application/fhir+xml', accept: 'application/fhir+xml' }, body: xml });
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toContain('application/fhir+xml');
    const text = await created.text();
    expect(text).toContain('<Patient xmlns="http://hl7.org/fhir">');
    const id = /<id value="([^"]+)"\/>/.exec(text)![1];
    const asJson = (await (await t.http(`/Patient/${id}`)).json()) as Patient;
    expect(asJson.name?.[0].family).toBe('Chalmers');
    const viaFormat = await t.http(`/Patient/${id}?_format=xml`);
    expect(viaFormat.headers.get('content-type')).toContain('application/fhir+xml');
    expect(await viaFormat.text()).toContain('<family value="Chalmers"/>');
    const pretty = await (await t.http(`/Patient/${id}?_pretty=true`)).text();
    expect(pretty).toContain('\n  "resourceType": "Patient"');
  });

  it('errors come back in XML when XML was asked for', async () => {
    const res = await t.http('/Patient/does-not-exist?_format=xml');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('<OperationOutcome xmlns="http://hl7.org/fhir">');
  });

  it('rejects malformed XML with 400', async () => {
    const res = await t.http('/Patient', { method: 'POST', headers: { 'content-type': 'application/fhir+xml' }, body: '<Patient xmlns="http://hl7.org/fhir"><active value="true"></Patient>' });
    expect(res.status).toBe(400);
  });
});

describe('Binary', () => {
  it('stores a PDF byte-identical, serves it natively and as a Binary resource; a DocumentReference points at it', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256)), Buffer.from('\n%%EOF\n')]);
    const res = await t.http('/Binary', { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: pdf });
    expect(res.status).toBe(201);
    const binary = (await res.json()) as Binary;
    expect(binary.contentType).toBe('application/pdf');
    const raw = await t.http(`/Binary/${binary.id}`);
    expect(raw.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await raw.arrayBuffer()).equals(pdf)).toBe(true);
    const asResource = (await (await t.http(`/Binary/${binary.id}`, { headers: { accept: 'application/fhir+json' } })).json()) as Binary;
    expect(Buffer.from(asResource.data!, 'base64').equals(pdf)).toBe(true);

    const doc: DocumentReference = {
      resourceType: 'DocumentReference',
      status: 'current',
      content: [{ attachment: { contentType: 'application/pdf', url: `Binary/${binary.id}`, title: 'Scanned referral' } }],
    };
    const created = (await t.client.create({ resourceType: 'DocumentReference', body: doc })) as DocumentReference;
    const url = created.content[0].attachment.url!;
    const fetched = await t.http(`/${url}`);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(pdf)).toBe(true);
  });
});

describe('PATCH', () => {
  it('applies a JSON Patch as a new version, honouring If-Match', async () => {
    const p = (await t.client.create({ resourceType: 'Patient', body: { resourceType: 'Patient', active: true, name: [{ family: 'Patchy' }] } })) as Patient;
    const res = await t.http(`/Patient/${p.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json-patch+json', 'if-match': 'W/"1"' }, body: JSON.stringify([{ op: 'replace', path: '/active', value: false }, { op: 'add', path: '/name/0/given', value: ['Pat'] }]) });
    expect(res.status).toBe(200);
    const patched = (await res.json()) as Patient;
    expect(patched.active).toBe(false);
    expect(patched.name?.[0].given).toEqual(['Pat']);
    expect(patched.meta?.versionId).toBe('2');
    const stale = await t.http(`/Patient/${p.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json-patch+json', 'if-match': 'W/"1"' }, body: JSON.stringify([{ op: 'replace', path: '/active', value: true }]) });
    expect(stale.status).toBe(412);
    const failedTest = await t.http(`/Patient/${p.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json-patch+json' }, body: JSON.stringify([{ op: 'test', path: '/active', value: true }]) });
    expect(failedTest.status).toBe(422);
    const invalidResult = await t.http(`/Patient/${p.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json-patch+json' }, body: JSON.stringify([{ op: 'add', path: '/gender', value: 'mail' }]) });
    expect(invalidResult.status).toBeGreaterThanOrEqual(400);
    expect(invalidResult.status).toBeLessThan(500);
  });

  it('applies a FHIRPath Patch', async () => {
    const p = (await t.client.create({ resourceType: 'Patient', body: { resourceType: 'Patient', name: [{ family: 'Fp', given: ['A', 'B'] }], birthDate: '2001-01-01' } })) as Patient;
    const patch = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'operation', part: [{ name: 'type', valueCode: 'replace' }, { name: 'path', valueString: 'Patient.birthDate' }, { name: 'value', valueDate: '2001-02-02' }] },
        { name: 'operation', part: [{ name: 'type', valueCode: 'delete' }, { name: 'path', valueString: 'Patient.name[0].given[0]' }] },
        { name: 'operation', part: [{ name: 'type', valueCode: 'add' }, { name: 'path', valueString: 'Patient' }, { name: 'name', valueString: 'telecom' }, { name: 'value', valueContactPoint: { system: 'phone', value: '555-0100' } }] },
        { name: 'operation', part: [{ name: 'type', valueCode: 'insert' }, { name: 'path', valueString: 'Patient.name[0].given' }, { name: 'index', valueInteger: 0 }, { name: 'value', valueString: 'Z' }] },
      ],
    };
    const res = await t.http(`/Patient/${p.id}`, { method: 'PATCH', headers: json, body: JSON.stringify(patch) });
    expect(res.status).toBe(200);
    const out = (await res.json()) as Patient;
    expect(out.birthDate).toBe('2001-02-02');
    expect(out.name?.[0].given).toEqual(['Z', 'B']);
    expect(out.telecom).toEqual([{ system: 'phone', value: '555-0100' }]);
  });
});

describe('CapabilityStatement', () => {
  it('lists every R4 resource type with the interactions the server really routes', async () => {
    const cs = (await t.client.capabilityStatement()) as any;
    expect(cs.fhirVersion).toBe('4.0.1');
    expect(cs.format).toEqual(expect.arrayContaining(['application/fhir+json', 'application/fhir+xml']));
    const types = cs.rest[0].resource.map((r: any) => r.type);
    expect(types.length).toBeGreaterThanOrEqual(145);
    expect(types).toEqual(expect.arrayContaining(['Patient', 'Immunization', 'Binary', 'DocumentReference', 'VisionPrescription']));
    const patient = cs.rest[0].resource.find((r: any) => r.type === 'Patient');
    expect(patient.interaction.map((i: any) => i.code)).toEqual(expect.arrayContaining(['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'create', 'search-type']));
    expect(patient.conditionalCreate).toBe(true);
    expect(patient.searchParam.map((s: any) => s.name)).toEqual(expect.arrayContaining(['family', 'birthdate', 'identifier']));
    expect(cs.rest[0].interaction.map((i: any) => i.code)).toEqual(expect.arrayContaining(['transaction', 'batch']));
  });
});
