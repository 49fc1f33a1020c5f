import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Immunization } from 'fhir/r4';
import { loadDemoSeeds } from '../../src/seeds/load-demo-seeds';
import { startTestServer } from '../helpers/test-server';
import type { TestServer } from '../helpers/test-server';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.stop());

const json = { 'content-type': 'application/fhir+json' };
const PROFILE = 'https://tessera.health/fhir/StructureDefinition/tessera-immunization';
const immunization = (extra: Partial<Immunization> = {}): Immunization => ({
  resourceType: 'Immunization',
  meta: { profile: [PROFILE] },
  status: 'completed',
  vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '208' }] },
  patient: { reference: 'Patient/p1' },
  occurrenceDateTime: '2021-04-01',
  performer: [{ actor: { reference: 'Organization/clinic-1' } }],
  ...extra,
});

describe('profiles in meta.profile are enforced on write', () => {
  it('accepts a conforming Immunization and rejects one without a CVX code with 422 naming the path', async () => {
    expect((await t.http('/Immunization', { method: 'POST', headers: json, body: JSON.stringify(immunization()) })).status).toBe(201);
    const bad = await t.http('/Immunization', { method: 'POST', headers: json, body: JSON.stringify(immunization({ vaccineCode: { coding: [{ system: 'http://snomed.info/sct', code: '1119349007' }] } })) });
    expect(bad.status).toBe(422);
    const outcome = (await bad.json()) as any;
    expect(outcome.issue[0].expression[0]).toContain('Immunization.vaccineCode');
    expect(outcome.issue[0].diagnostics).toContain(PROFILE);
  });

  it('$validate checks a profile given as a parameter and reports an unknown one', async () => {
    const body = { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { ...immunization(), meta: undefined, performer: undefined } }, { name: 'profile', valueUri: PROFILE }] };
    const res = await t.http('/Immunization/$validate', { method: 'POST', headers: json, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    const outcome = (await res.json()) as any;
    expect(outcome.issue.some((i: any) => i.severity === 'error' && i.expression?.[0] === 'Immunization.performer')).toBe(true);
    const unknown = await t.http('/Immunization/$validate', { method: 'POST', headers: json, body: JSON.stringify({ ...body, parameter: [body.parameter[0], { name: 'profile', valueUri: 'https://example.org/nope' }] }) });
    expect(unknown.status).toBe(400);
  });
});

describe('demo seeds', () => {
  it('load through the transaction path, conform to Tessera profiles, and load idempotently', async () => {
    const created = await loadDemoSeeds(t.services);
    expect(created).toBe(33);
    expect(await loadDemoSeeds(t.services)).toBe(0);
    const bundle = (await (await t.http('/Immunization?_summary=count&_total=accurate')).json()) as Bundle;
    expect(bundle.total).toBeGreaterThanOrEqual(10);
  });
});
