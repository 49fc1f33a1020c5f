import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImmunizationRecommendation, Parameters } from 'fhir/r4';
import { startTestServer } from '../helpers/test-server';
import type { TestServer } from '../helpers/test-server';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.stop());

const dose = (id: string, cvx: string, date: string) => ({
  name: 'immunization',
  resource: { resourceType: 'Immunization', id, status: 'completed', vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: cvx }] }, patient: { reference: 'Patient/p' }, occurrenceDateTime: date },
});

const call = (body: unknown) => t.http('/$immds-forecast', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });

describe('$immds-forecast over HTTP', () => {
  it('evaluates a two-dose Pfizer COVID-19 series as complete and an early second dose as not valid', async () => {
    const input = (second: string): Parameters => ({
      resourceType: 'Parameters',
      parameter: [
        { name: 'assessmentDate', valueDate: '2021-09-01' },
        { name: 'patient', resource: { resourceType: 'Patient', id: 'p', birthDate: '1980-01-01', gender: 'female' } },
        dose('d1', '208', '2021-04-01'),
        dose('d2', '208', second),
      ] as Parameters['parameter'],
    });
    const ok = (await (await call(input('2021-04-22'))).json()) as Parameters;
    const evaluations = ok.parameter!.filter((p) => p.name === 'evaluation').map((p) => p.resource as any);
    const covid = evaluations.filter((e) => JSON.stringify(e.targetDisease).toLowerCase().includes('covid'));
    expect(covid.map((e) => e.doseStatus.coding[0].code)).toEqual(['valid', 'valid']);
    const rec = ok.parameter!.find((p) => p.name === 'recommendation')!.resource as ImmunizationRecommendation;
    const covidRec = rec.recommendation.find((r) => JSON.stringify(r).toLowerCase().includes('covid'))!;
    expect(covidRec.forecastStatus.coding?.[0].code).toBe('complete');

    const early = (await (await call(input('2021-04-10'))).json()) as Parameters;
    const earlyCovid = early.parameter!.filter((p) => p.name === 'evaluation').map((p) => p.resource as any).filter((e) => JSON.stringify(e.targetDisease).toLowerCase().includes('covid'));
    expect(earlyCovid[1].doseStatus.coding[0].code).toBe('notvalid');
    expect(JSON.stringify(earlyCovid[1].doseStatusReason)).toMatch(/interval: too (short|soon)/i);
  });

  it('answers bad input with a 4xx OperationOutcome naming the problem', async () => {
    const res = await call({ resourceType: 'Parameters', parameter: [{ name: 'assessmentDate', valueDate: '2021-09-01' }, { name: 'patient', resource: { resourceType: 'Patient', birthDate: '2020-01-01' } }, dose('d1', '99999', '2019-01-01')] });
    expect(res.status).toBe(422);
    const text = JSON.stringify(await res.json());
    expect(text).toMatch(/99999|CVX/);
    expect((await call({ resourceType: 'Patient' })).status).toBe(400);
  });

  it('is listed in the CapabilityStatement', async () => {
    const cs = (await (await t.http('/metadata')).json()) as any;
    expect(cs.rest[0].operation.map((o: any) => o.name)).toContain('immds-forecast');
  });
});
