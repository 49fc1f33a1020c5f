import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Observation } from 'fhir/r4';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * Transaction Bundles that update the same resources in different orders, at the same time. Each Bundle locks the
 * resources it modifies in one sorted order before writing, so they queue instead of deadlocking (before that fix,
 * on Postgres, most of them were aborted as deadlocks and answered 409), and the data stays consistent.
 */
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.stop();
});

const obs = (id: string, value: number): Observation => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
  valueQuantity: { value, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
});

const bundle = (ids: string[], value: number) => ({
  resourceType: 'Bundle',
  type: 'transaction',
  entry: ids.map((id) => ({ resource: obs(id, value), request: { method: 'PUT', url: `Observation/${id}` } })),
});

describe('concurrent transaction Bundles in opposite orders', () => {
  test('all succeed (no deadlock), and every resource has the same history', async () => {
    const ids = ['deadlock-a', 'deadlock-b', 'deadlock-c'];
    for (const id of ids) expect((await t.http(`/Observation/${id}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(obs(id, 1)) })).status).toBe(201);
    const statuses: number[] = [];
    for (let round = 0; round < 6; round++) {
      const orders = [ids, [...ids].reverse(), [ids[1]!, ids[2]!, ids[0]!], [ids[2]!, ids[0]!, ids[1]!]];
      const results = await Promise.all(
        orders.map((order, i) => t.http('', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(bundle(order, 10 * round + i + 2)) })),
      );
      for (const res of results) {
        statuses.push(res.status);
        const body = (await res.json()) as { resourceType: string; issue?: Array<{ code: string }> };
        if (res.status === 409) expect(body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'transient' }] });
        else expect(body.resourceType).toBe('Bundle');
      }
    }
    expect(statuses).toEqual(statuses.map(() => 200));
    // Consistent: all three were written by the same committed Bundles, so they have the same number of versions.
    const versions = await Promise.all(ids.map(async (id) => Number(((await (await t.http(`/Observation/${id}`)).json()) as Observation).meta!.versionId)));
    expect(new Set(versions).size).toBe(1);
    expect(versions[0]).toBe(1 + statuses.filter((s) => s === 200).length);
  });
});
