import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from 'fhir/r4';
import { fhirXmlToJson } from '../../src/fhir/format/xml';
import { startTestServer } from '../helpers/test-server';
import type { TestServer } from '../helpers/test-server';

const dir = 'test/fixtures/fhir-examples';
const jsonFiles = readdirSync(`${dir}/json`).filter((f) => f.endsWith('.json')).sort();
const xmlFiles = readdirSync(`${dir}/xml`).filter((f) => f.endsWith('.xml')).sort();

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.stop());

/** The example as the server should give it back: the same apart from id and meta. */
function comparable(resource: Resource): Record<string, unknown> {
  const { id: _id, meta: _meta, ...rest } = resource as Resource & Record<string, unknown>;
  return rest;
}

describe('every official R4 JSON example: create, read back unchanged, valid', () => {
  it.each(jsonFiles)('%s', async (file) => {
    const example = JSON.parse(readFileSync(`${dir}/json/${file}`, 'utf8')) as Resource;
    const validation = await t.http(`/${example.resourceType}/$validate`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(example) });
    expect(validation.status).toBe(200);
    const outcome = (await validation.json()) as any;
    expect(outcome.issue.filter((i: any) => i.severity === 'error' || i.severity === 'fatal')).toEqual([]);

    const res = await t.http(`/${example.resourceType}`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(example) });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Resource;
    const read = (await (await t.http(`/${example.resourceType}/${created.id}`)).json()) as Resource;
    expect(comparable(read)).toEqual(comparable(example));
  });
});

describe('every official R4 XML example: create from XML, read back as XML and JSON unchanged', () => {
  it.each(xmlFiles)('%s', async (file) => {
    const xml = readFileSync(`${dir}/xml/${file}`, 'utf8');
    const expected = fhirXmlToJson(xml);
    const res = await t.http(`/${expected.resourceType}`, { method: 'POST', headers: { 'content-type': 'application/fhir+xml' }, body: xml });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Resource;
    const asJson = (await (await t.http(`/${expected.resourceType}/${created.id}`)).json()) as Resource;
    expect(comparable(asJson)).toEqual(comparable(expected));
    const asXml = await (await t.http(`/${expected.resourceType}/${created.id}`, { headers: { accept: 'application/fhir+xml' } })).text();
    expect(comparable(fhirXmlToJson(asXml))).toEqual(comparable(expected));
  });
});
