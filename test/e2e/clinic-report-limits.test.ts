import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { loadConfig } from '../../src/config/load-config';

/**
 * The row limit of clinics' CSV reports (REPORT_MAX_ROWS, 100,000 by default), exercised with a small limit so the
 * test stays fast: rows up to the limit are processed, the rest is not read, and the answer is a 413 that points at
 * the stored result.
 */
let t: TestServer;

beforeAll(async () => {
  process.env.LINKAGE_SECRET = 'clinic-report-limits-secret-0123456789';
  t = await startTestServer({ reportMaxRows: 5 });
});
afterAll(async () => {
  await t?.stop();
});

const api = (path: string, init?: RequestInit) => fetch(`${t.baseUrl.replace(/\/fhir$/, '/api')}${path}`, init);
const report = (rows: number) =>
  ['record_id,patient_id,family,given,sex,birth_date,vaccine,date', ...Array.from({ length: rows }, (_, i) => `lim-${i},p-${i},Limitson${String.fromCharCode(97 + i)},Ada,female,1980-01-0${1 + (i % 9)},208,2021-03-01`)].join('\n');

describe('CSV report row limit', () => {
  test('exactly the limit is accepted', async () => {
    const res = await api('/clinics/limit-a/reports', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: report(5) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { created: number }).created).toBe(5);
  });

  test('more rows than the limit: 413 naming the limit, the first rows kept, the result stored and fetchable', async () => {
    const res = await api('/clinics/limit-b/reports', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: report(12) });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { resourceType: string; issue: Array<{ code: string; diagnostics: string }> };
    expect(body.resourceType).toBe('OperationOutcome');
    expect(body.issue[0]!.code).toBe('too-long');
    expect(body.issue[0]!.diagnostics).toMatch(/more than 5 rows: the first 5 were processed \(5 created, 0 rejected\)/);
    const stored = /\/fhir\/OperationOutcome\/([^;\s]+)/.exec(body.issue[0]!.diagnostics)![1]!;
    const result = await api(`/clinics/limit-b/reports/${stored}`);
    expect(result.status).toBe(200);
    expect(((await result.json()) as { issue: Array<{ diagnostics: string }> }).issue[0]!.diagnostics).toMatch(/5 rows, 5 created.*truncated at 5 rows/);
    const kept = await t.services.knex('clinic_api_key').where({ clinic: 'limit-b', kind: 'record' }).count('* as n');
    expect(Number(kept[0]!.n)).toBe(5);
  });
});

describe('configuration', () => {
  test('REPORT_MAX_ROWS and REPORT_CONCURRENCY must be positive integers', () => {
    expect(loadConfig({}).reportMaxRows).toBe(100_000);
    expect(loadConfig({ REPORT_MAX_ROWS: '250000', REPORT_CONCURRENCY: '4' })).toMatchObject({ reportMaxRows: 250_000, reportConcurrency: 4 });
    expect(() => loadConfig({ REPORT_MAX_ROWS: '0' })).toThrow(/REPORT_MAX_ROWS must be a positive integer/);
    expect(() => loadConfig({ REPORT_CONCURRENCY: 'two' })).toThrow(/REPORT_CONCURRENCY/);
  });
});
