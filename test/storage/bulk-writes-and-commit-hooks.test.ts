import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import type { Immunization, Patient } from 'fhir/r4';
import { ResourceStore, type WriteEvent } from '../../src/storage/resource-store';
import { createSearchEngine } from '../../src/fhir/search';
import type { Database } from '../../src/storage/create-database';
import { createTestDatabase } from '../helpers/test-database';

let db: Database;
let store: ResourceStore;
const batches: WriteEvent[][] = [];
const commits: string[] = [];
/** Work a hook defers to the end of the transaction, per transaction. */
const deferred = new WeakMap<Knex.Transaction, string[]>();

beforeAll(async () => {
  db = await createTestDatabase();
  store = new ResourceStore(db.knex, createSearchEngine().indexer);
  store.addBatchWriteHook(['Patient'], async (trx, events) => {
    batches.push(events);
    if (events.some((e) => (e.current as Patient | undefined)?.name?.[0]?.family === 'Explode')) throw new Error('hook refused');
    if (!store.defersToCommit(trx)) return;
    const list = deferred.get(trx) ?? [];
    list.push(...events.map((e) => e.id));
    deferred.set(trx, list);
  });
  // Runs before commit; a second round is needed because the first writes a Patient (which defers more work).
  store.addBeforeCommitHook(async (trx) => {
    const ids = deferred.get(trx);
    deferred.delete(trx);
    if (!ids?.length) return false;
    commits.push(ids.join(','));
    if (ids.length > 1) await store.create(trx, { resourceType: 'Patient', name: [{ family: 'Summary' }] } as Patient);
    return true;
  });
});
afterAll(async () => db?.close());

const patient = (family: string): Patient => ({ resourceType: 'Patient', name: [{ family, given: ['Ann'] }], birthDate: '1980-02-03', identifier: [{ system: 'urn:x', value: family }] });

describe('ResourceStore.createMany', () => {
  it('stores content, history and search rows like create, and gives hooks every event of a type at once', async () => {
    batches.length = 0;
    const imm: Immunization = { resourceType: 'Immunization', status: 'completed', vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '208' }] }, patient: { reference: 'Patient/p1' }, occurrenceDateTime: '2021-03-01' };
    const out = await store.createMany(undefined, [patient('Bulkone'), imm, patient('Bulktwo')]);
    expect(out.map((v) => [v.resourceType, v.versionId])).toEqual([['Patient', 1], ['Immunization', 1], ['Patient', 1]]);
    // One batch for both Patients (the second batch is the before-commit hook's own Summary Patient).
    expect(batches[0]!.map((e) => e.id)).toEqual([out[0]!.id, out[2]!.id]);
    expect(batches.slice(1).flat().map((e) => (e.current as Patient).name?.[0]?.family)).toEqual(['Summary']);
    for (const v of out) {
      const read = await store.read(undefined, v.resourceType, v.id);
      expect(read?.content).toEqual(v.content);
      expect(await store.readVersion(undefined, v.resourceType, v.id, 1)).toMatchObject({ versionId: 1, deleted: false });
    }
    // The same search-index rows as a single create would write.
    const single = await store.create(undefined, patient('Bulkone'));
    const rows = async (id: string) => (await db.knex('sp_string').where({ resource_id: id }).select('param', 'value_norm', 'value_exact').orderBy(['param', 'value_norm', 'value_exact'])) as unknown[];
    expect(await rows(out[0]!.id)).toEqual(await rows(single.id));
    expect((await rows(out[0]!.id)).length).toBeGreaterThan(0);
  });

  it('uses given ids and is all or nothing when a hook throws', async () => {
    const ids = ['bulk-given-1', 'bulk-given-2'];
    await expect(store.createMany(undefined, [patient('Fine'), patient('Explode')], { ids })).rejects.toThrow('hook refused');
    expect(await store.read(undefined, 'Patient', ids[0]!)).toBeUndefined();
    const ok = await store.createMany(undefined, [patient('Fine'), patient('Fine2')], { ids });
    expect(ok.map((v) => v.id)).toEqual(ids);
  });

  it('an empty batch writes nothing', async () => {
    expect(await store.createMany(undefined, [])).toEqual([]);
  });
});

describe('before-commit hooks', () => {
  it('run once per transaction the store opens, again while they find work, and inside its atomicity', async () => {
    commits.length = 0;
    const made = await store.transaction(undefined, async (trx) => {
      const a = await store.create(trx, patient('Firstwrite'));
      const b = await store.create(trx, patient('Secondwrite'));
      expect(deferred.get(trx)).toEqual([a.id, b.id]);
      return [a.id, b.id];
    });
    // Round 1 saw both writes; the Summary Patient it wrote was deferred and handled in round 2.
    expect(commits[0]).toBe(made.join(','));
    expect(commits).toHaveLength(2);
    const summaries = await db.knex('Patient').whereRaw("content->'name'->0->>'family' = 'Summary'").count('* as n');
    expect(Number(summaries[0]!.n)).toBeGreaterThan(0);
  });

  it('a transaction the store did not open does not defer', async () => {
    await db.knex.transaction(async (trx) => {
      expect(store.defersToCommit(trx)).toBe(false);
      await store.create(trx, patient('Plainknex'));
      expect(deferred.get(trx)).toBeUndefined();
    });
  });

  it('a failing before-commit hook rolls the transaction back', async () => {
    const local = new ResourceStore(db.knex, createSearchEngine().indexer);
    local.addBeforeCommitHook(async () => {
      throw new Error('refused at commit');
    });
    await expect(local.create(undefined, patient('Neverstored'))).resolves.toBeDefined(); // no hooks for Patient: no transaction of its own
    await expect(local.transaction(undefined, (trx) => local.create(trx, patient('Rolledback')))).rejects.toThrow('refused at commit');
    const rolledBack = await db.knex('Patient').whereRaw("content->'name'->0->>'family' = 'Rolledback'").count('* as n');
    expect(Number(rolledBack[0]!.n)).toBe(0);
  });
});
