import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Patient, Person } from 'fhir/r4';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { lockBlockingKeys, MAX_BLOCK, saveAndFindCandidates } from '../../src/linkage/server/linkage-index';

/**
 * Record linkage of many Patients written together (ResourceStore.createMany: clinics' CSV reports): records of
 * one person inside the batch link to each other and to earlier records, the classic false positives stay apart,
 * and two clinics importing the same people at the same time end with one person each.
 */
let t: TestServer;

beforeAll(async () => {
  process.env.LINKAGE_SECRET = 'linkage-bulk-test-secret-0123456789';
  t = await startTestServer();
});
afterAll(async () => {
  await t?.stop();
});

let seq = 0;
function patient(given: string, family: string, birthDate: string, gender: Patient['gender'], line = '12 King Street', clinic = 'a', suffix?: string): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ system: `urn:clinic:${clinic}`, value: `bulk-${++seq}` }],
    name: [{ family, given: [given], ...(suffix ? { suffix: [suffix] } : {}) }],
    gender,
    birthDate,
    address: [{ use: 'home', line: [line], city: 'Melbourne', postalCode: '3000', state: 'VIC' }],
  };
}

const personOf = (id: string) => t.services.persons.personOf(undefined, id);

describe('linking a batch of new Patients', () => {
  test('records of one person within the batch and an earlier one join one person; twins, Jr/Sr and strangers stay apart', async () => {
    const earlier = (await t.services.store.create(undefined, patient('Elizabeth', 'Okonkwo', '1971-05-06', 'female'))).id;
    const batch = [
      patient('Liz', 'Okonkwo', '1971-05-06', 'female', '12 King Street', 'b'), // nickname of the earlier record
      patient('Jonathan', 'Abernethy', '1990-01-20', 'male', '8 Elm Road'),
      patient('Jonathon', 'Abernathy', '1990-01-20', 'male', '8 Elm Road', 'b'), // typos: same person as the previous
      patient('Jon', 'Abernethy', '1990-01-20', 'male', '8 Elm Road', 'c'), // nickname: same person again
      patient('Marcus', 'Delacroix', '2001-09-09', 'male', '3 Bay Street'),
      patient('Daniel', 'Delacroix', '2001-09-09', 'male', '3 Bay Street'), // twin: same DOB and address, another first name
      patient('Peter', 'Vandermeer', '1950-04-04', 'male', '5 Hill Road', 'a', 'Sr'),
      patient('Peter', 'Vandermeer', '1980-04-04', 'male', '5 Hill Road', 'a', 'Jr'), // son
      patient('Ingrid', 'Solberg', '1966-12-12', 'female', '77 Pier Parade'),
    ];
    const ids = (await t.services.store.createMany(undefined, batch)).map((v) => v.id);
    const persons = await Promise.all(ids.map((id) => personOf(id)));
    expect(persons.every(Boolean)).toBe(true);
    expect(persons[0]).toBe(await personOf(earlier));
    expect(persons[2]).toBe(persons[1]);
    expect(persons[3]).toBe(persons[1]);
    expect(persons[5]).not.toBe(persons[4]);
    expect(persons[7]).not.toBe(persons[6]);
    expect(new Set([persons[0], persons[1], persons[4], persons[5], persons[6], persons[7], persons[8]]).size).toBe(7);
    // Golden records exist for every person, listing exactly its members.
    const golden = (await t.services.store.read(undefined, 'Person', persons[1]!))?.content as Person;
    expect(golden.link?.map((l) => l.target.reference).sort()).toEqual([ids[1], ids[2], ids[3]].map((id) => `Patient/${id}`).sort());
    // Automatic links are audited, one AuditEvent per record that joined another.
    const audits = await t.services.knex('AuditEvent').whereRaw("content::text LIKE ?", [`%Patient/${ids[3]}%`]).count('* as n');
    expect(Number(audits[0]!.n)).toBe(1);
  });

  test('the same people imported by two clinics at the same time end as one person each, without deadlocks', async () => {
    const people = Array.from({ length: 40 }, (_, i) => ({
      given: ['Amara', 'Bodhi', 'Cyrus', 'Dalia', 'Emeka', 'Freya', 'Gideon', 'Hana'][i % 8]!,
      family: `Q${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}ntrell`,
      dob: `19${50 + i}-0${1 + (i % 9)}-1${i % 10}`,
    }));
    const report = (clinic: string) =>
      ['record_id,patient_id,family,given,sex,birth_date,vaccine,date', ...people.map((p, i) => `${clinic}-r${i},${clinic}-p${i},${p.family},${p.given},female,${p.dob},208,2021-03-0${1 + (i % 9)}`)].join('\n');
    const api = t.baseUrl.replace(/\/fhir$/, '/api');
    const post = (clinic: string) => fetch(`${api}/clinics/${clinic}/reports`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: report(clinic) });
    const [a, b] = await Promise.all([post('north'), post('south')]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const bodies = [(await a.json()) as { created: number; rejected: number }, (await b.json()) as { created: number; rejected: number }];
    expect(bodies.map((x) => [x.created, x.rejected])).toEqual([[40, 0], [40, 0]]);
    const rows = (await t.services.knex('clinic_api_key').whereIn('clinic', ['north', 'south']).andWhere('kind', 'patient').select('clinic', 'key', 'resource_id')) as Array<{ clinic: string; key: string; resource_id: string }>;
    const byKey = new Map(rows.map((r) => [`${r.clinic}:${r.key}`, r.resource_id]));
    for (let i = 0; i < people.length; i++) {
      const north = await personOf(byKey.get(`north:north-p${i}`)!);
      const south = await personOf(byKey.get(`south:south-p${i}`)!);
      expect(north).toBeDefined();
      expect(south).toBe(north);
    }
  });

  test('a read inside a transaction Bundle sees the golden record of a Patient created earlier in the same Bundle', async () => {
    const res = await t.http('', {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'urn:uuid:0f5c2b5e-7c1d-4a8e-9a51-3f1e2d4c5b6a', resource: patient('Rosalind', 'Featherby', '1944-08-08', 'female'), request: { method: 'POST', url: 'Patient' } },
          { request: { method: 'GET', url: 'Person?link=urn:uuid:0f5c2b5e-7c1d-4a8e-9a51-3f1e2d4c5b6a' } },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { entry: Array<{ response: { status: string; location?: string }; resource?: { resourceType: string; total?: number; entry?: Array<{ resource: Person }> } }> };
    const patientId = /Patient\/([^/]+)/.exec(body.entry[0]!.response.location!)![1]!;
    const search = body.entry[1]!.resource!;
    expect(search.resourceType).toBe('Bundle');
    expect(search.entry?.map((e) => e.resource.link?.map((l) => l.target.reference))).toEqual([[`Patient/${patientId}`]]);
  });

  test('keys of blocks over MAX_BLOCK are reported and then not locked (they give no candidates)', async () => {
    const knex = t.services.knex;
    const common = 'given_band:test-common-key';
    await knex.raw(`INSERT INTO linkage_block (block_hash, patient_id) SELECT hashtextextended(?, 0), 'filler-' || g FROM generate_series(1, ?) AS g`, [common, MAX_BLOCK + 1]);
    const hash = String((await knex.raw('SELECT hashtextextended(?, 0)::text AS h', [common])).rows[0].h);
    const tokens = { kid: 'test', exact: {}, alt: {}, bloom: {} } as never;
    const step = await knex.transaction((trx) => saveAndFindCandidates(trx, { patientId: 'oversized-probe', source: 'phi', tokens }, [common, 'dob:test-rare-key'], false));
    expect(step.oversized).toEqual([hash]);
    expect(step.candidates).toEqual([]);
    const advisoryLocks = (trx: typeof knex) => trx.raw("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()").then((r: { rows: Array<{ n: number }> }) => r.rows[0]!.n);
    await knex.transaction(async (trx) => {
      await lockBlockingKeys(trx, [common, 'dob:test-rare-key']);
      expect(await advisoryLocks(trx as never)).toBe(3); // the shared index lock + both keys
    });
    await knex.transaction(async (trx) => {
      await lockBlockingKeys(trx, [common, 'dob:test-rare-key'], new Set(step.oversized));
      expect(await advisoryLocks(trx as never)).toBe(2); // the shared index lock + the rare key only
    });
  });
});
