import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/test-server';
import type { TestServer } from '../helpers/test-server';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ bodyLimitBytes: 64 * 1024 });
});
afterAll(async () => t?.stop());

const json = { 'content-type': 'application/fhir+json' };

async function outcome(res: Response) {
  expect(res.headers.get('content-type')).toContain('application/fhir+json');
  const body = (await res.json()) as any;
  expect(body.resourceType).toBe('OperationOutcome');
  return body.issue as Array<{ severity: string; code: string; diagnostics: string; expression?: string[] }>;
}

describe('every client error is a 4xx OperationOutcome saying what is wrong', () => {
  it.each([
    ['invalid JSON', '/Patient', 'POST', '{"resourceType": "Patient",', json, 400, 'not valid JSON'],
    ['wrong resource type in body', '/Patient', 'POST', JSON.stringify({ resourceType: 'Observation', status: 'final', code: { text: 'x' } }), json, 400, "does not match the URL: expected 'Patient'"],
    ['body without resourceType', '/Patient', 'POST', JSON.stringify({ name: [] }), json, 400, 'resourceType'],
    ['unknown resource type', '/Patientx', 'GET', undefined, {}, 404, "Unknown resource type 'Patientx'"],
    ['lower-case type', '/patient/1', 'GET', undefined, {}, 404, "Unknown resource type 'patient'"],
    ['unsupported content type', '/Patient', 'POST', 'a,b,c', { 'content-type': 'text/csv' }, 415, "Content-Type 'text/csv' is not supported"],
    ['unsupported interaction', '/Patient/123/_history', 'DELETE', undefined, {}, 405, 'allowed GET'],
    ['invalid element value', '/Patient', 'POST', JSON.stringify({ resourceType: 'Patient', birthDate: 'not-a-date' }), json, 400, 'birthDate'],
    ['unknown element', '/Patient', 'POST', JSON.stringify({ resourceType: 'Patient', favouriteColour: 'blue' }), json, 400, 'favouriteColour'],
    ['bad required binding', '/Patient', 'POST', JSON.stringify({ resourceType: 'Patient', gender: 'mail' }), json, 400, 'gender'],
    ['no route', '/../admin', 'GET', undefined, {}, 404, ''],
    ['bad If-Match', '/Patient/abc', 'PUT', JSON.stringify({ resourceType: 'Patient', id: 'abc' }), { ...json, 'if-match': 'v1' }, 400, 'If-Match'],
    ['unsupported Accept', '/metadata', 'GET', undefined, { accept: 'text/csv' }, 406, 'Accept'],
    ['unknown operation', '/Patient/$frobnicate', 'POST', '{}', json, 404, '$frobnicate'],
  ])('%s', async (_name, path, method, body, headers, status, message) => {
    const res = await t.http(path, { method, body, headers: headers as Record<string, string> });
    expect(res.status).toBe(status);
    if (res.headers.get('content-type')?.includes('fhir+json')) {
      const issues = await outcome(res);
      expect(issues.map((i) => `${i.diagnostics} ${(i.expression ?? []).join(' ')}`).join(' | ')).toContain(message);
    }
  });

  it('413 over the body limit, and the server keeps serving', async () => {
    const big = JSON.stringify({ resourceType: 'Patient', text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${'x'.repeat(70 * 1024)}</div>` } });
    const res = await t.http('/Patient', { method: 'POST', headers: json, body: big });
    expect(res.status).toBe(413);
    const issues = await outcome(res);
    expect(issues[0].diagnostics).toContain(`${64 * 1024} bytes`);
    expect((await t.http('/metadata')).status).toBe(200);
  });

  it('a failed write leaves nothing behind', async () => {
    const before = (await (await t.http('/_history?_count=1000')).json()) as any;
    await t.http('/Patient', { method: 'POST', headers: json, body: JSON.stringify({ resourceType: 'Patient', gender: 'nope' }) });
    const after = (await (await t.http('/_history?_count=1000')).json()) as any;
    expect(after.entry?.length ?? 0).toBe(before.entry?.length ?? 0);
  });

  it('survives hostile bodies: deep nesting, __proto__, huge numbers, NUL bytes', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    for (const body of [deep, '{"resourceType":"Patient","__proto__":{"admin":true}}', '{"resourceType":"Patient","multipleBirthInteger":1e400}', '{"resourceType":"Patient","name":[{"family":"a\\u0000b"}]}']) {
      const res = await t.http('/Patient', { method: 'POST', headers: json, body });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      await outcome(res);
    }
    expect(({} as any).admin).toBeUndefined();
  });
});
