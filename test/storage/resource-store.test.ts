import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Patient } from 'fhir/r4';
import { ResourceStore } from '../../src/storage/resource-store';
import type { WriteEvent } from '../../src/storage/resource-store';
import { NO_INDEX } from '../../src/storage/resource-indexer';
import { listHistory } from '../../src/storage/history-queries';
import type { Database } from '../../src/storage/create-database';
import { createTestDatabase } from '../helpers/test-database';

let db: Database;
let store: ResourceStore;
const events: WriteEvent[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  store = new ResourceStore(db.knex, NO_INDEX);
  store.addWriteHook(['Patient'], async (trx, event) => {
    events.push(event);
    if ((event.current as Patient | undefined)?.name?.[0]?.family === 'Explode') throw new Error('hook refused');
    await trx.raw('SELECT 1');
  });
});
afterAll(async () => db?.close());

describe('ResourceStore', () => {
  it('writes current row and history together and bumps versions', async () => {
    const v1 = await store.create(undefined, { resourceType: 'Observation', status: 'final', code: { text: 'x' } } as never);
    const v2 = await store.update(undefined, { ...v1.content!, status: 'amended' } as never);
    expect(v2.version.versionId).toBe(2);
    const hist = await listHistory(db.knex, { resourceType: 'Observation', id: v1.id, count: 10 });
    expect(hist.map((h) => h.versionId)).toEqual([2, 1]);
    expect((await store.readVersion(undefined, 'Observation', v1.id, 1))?.content).toMatchObject({ status: 'final' });
  });

  it('runs write hooks in the same transaction: create, update, delete', async () => {
    events.length = 0;
    const created = await store.create(undefined, { resourceType: 'Patient', name: [{ family: 'Hooked' }] } as Patient);
    await store.update(undefined, { ...created.content!, active: true } as Patient);
    await store.delete(undefined, 'Patient', created.id);
    expect(events.map((e) => e.method)).toEqual(['POST', 'PUT', 'DELETE']);
    expect(events[1].previous).toMatchObject({ name: [{ family: 'Hooked' }] });
    expect(events[2].current).toBeUndefined();
  });

  it('rolls the write back when a hook throws', async () => {
    await expect(store.create(undefined, { resourceType: 'Patient', id: 'boom', name: [{ family: 'Explode' }] } as Patient, { id: 'boom' })).rejects.toThrow('hook refused');
    expect(await store.read(undefined, 'Patient', 'boom')).toBeUndefined();
    expect(await listHistory(db.knex, { resourceType: 'Patient', id: 'boom', count: 10 })).toEqual([]);
  });

  it('stores no new version when content is unchanged (key order and server meta ignored)', async () => {
    const v1 = await store.create(undefined, { resourceType: 'Patient', name: [{ given: ['A'], family: 'Same' }] } as Patient);
    const reordered = { name: [{ family: 'Same', given: ['A'] }], resourceType: 'Patient', id: v1.id, meta: { versionId: '9', lastUpdated: '2000-01-01T00:00:00Z' } } as Patient;
    const result = await store.update(undefined, reordered);
    expect(result.unchanged).toBe(true);
    expect(result.version.versionId).toBe(1);
  });
});
