import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AuditEvent, Bundle, Parameters, Patient, Person } from 'fhir/r4';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { computeTokens, fhirPatientToPersonPhi, masterKeyFromSecret, normalizePerson, toSiteTokens } from '../../src/linkage';
import { MATCH_GRADE_URL } from '../../src/linkage/server';

const SECRET = 'linkage-server-test-secret-0123456789';
const key = masterKeyFromSecret(SECRET);
let t: TestServer;

beforeAll(async () => {
  process.env.LINKAGE_SECRET = SECRET;
  t = await startTestServer();
});
afterAll(async () => {
  await t?.stop();
});

let seq = 0;
/** A Patient of one clinic (its own identifier system) with the usual demographics. */
function patient(given: string, family: string, birthDate: string, gender: Patient['gender'], extra: { suffix?: string; line?: string; postalCode?: string; phone?: string; clinic?: string } = {}): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ system: `urn:clinic:${extra.clinic ?? 'a'}`, value: `mrn-${++seq}` }],
    name: [{ family, given: [given], ...(extra.suffix ? { suffix: [extra.suffix] } : {}) }],
    gender,
    birthDate,
    address: [{ use: 'home', line: [extra.line ?? '12 King Street'], city: 'Sydney', postalCode: extra.postalCode ?? '2000', state: 'NSW' }],
    ...(extra.phone ? { telecom: [{ system: 'phone', value: extra.phone, use: 'mobile' }] } : {}),
  };
}

async function create(p: Patient): Promise<Patient> {
  const res = await t.http('/Patient', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(p) });
  expect(res.status).toBe(201);
  return (await res.json()) as Patient;
}

async function put(p: Patient): Promise<Patient> {
  const res = await t.http(`/Patient/${p.id}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(p) });
  expect(res.status).toBe(200);
  return (await res.json()) as Patient;
}

async function op(path: string, parameters: Parameters['parameter'], method = 'POST'): Promise<{ status: number; body: any }> {
  const res = await t.http(path, { method, headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Parameters', parameter: parameters }) });
  return { status: res.status, body: await res.json() };
}

const personOf = (id: string) => t.services.persons.personOf(undefined, id);
const ref = (id: string) => ({ reference: `Patient/${id}` });

async function getJson<T>(path: string): Promise<T> {
  const res = await t.http(path);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

describe('automatic linkage on Patient create (clerical errors link, classic false positives stay apart)', () => {
  test.each([
    ['nickname Bob/Robert', patient('Robert', 'Smith', '1980-03-04', 'male'), patient('Bob', 'Smith', '1980-03-04', 'male', { clinic: 'b' })],
    ['transposed day/month of birth', patient('Michael', 'Nguyen', '1975-02-11', 'male'), patient('Michael', 'Nguyen', '1975-11-02', 'male', { clinic: 'b' })],
    ['typos in given and family name', patient('Katherine', 'Johnston', '1962-07-19', 'female'), patient('Katharine', 'Jonhston', '1962-07-19', 'female', { clinic: 'b' })],
    ['married name', patient('Sarah', 'Brown', '1985-09-09', 'female'), patient('Sarah', 'Miller', '1985-09-09', 'female', { clinic: 'b' })],
  ])('%s → one person', async (_name, a, b) => {
    const pa = await create(a);
    const pb = await create(b);
    const person = await personOf(pa.id!);
    expect(person).toBeDefined();
    expect(await personOf(pb.id!)).toBe(person);
    // Golden record: a Person with the same id, linking both Patients; found from the Patient side by search.
    const golden = await getJson<Person>(`/Person/${person}`);
    expect(golden.link?.map((l) => l.target.reference).sort()).toEqual([`Patient/${pa.id}`, `Patient/${pb.id}`].sort());
    const found = await getJson<Bundle>(`/Person?link=Patient/${pb.id}`);
    expect(found.entry?.map((e) => e.resource?.id)).toEqual([person]);
    const byPatient = await getJson<Bundle>(`/Person?patient=Patient/${pa.id}`);
    expect(byPatient.entry?.map((e) => e.resource?.id)).toEqual([person]);
  });

  test.each([
    ['twins (same DOB and address, different first names)', patient('Emma', 'Wilson', '2010-06-15', 'female'), patient('Olivia', 'Wilson', '2010-06-15', 'female')],
    ['father and son (Sr/Jr)', patient('John', 'Taylor', '1970-01-20', 'male', { suffix: 'Sr' }), patient('John', 'Taylor', '1998-05-02', 'male', { suffix: 'Jr' })],
    ['Jr/Sr with the same recorded DOB', patient('Paul', 'Kelly', '1970-01-20', 'male', { suffix: 'Sr' }), patient('Paul', 'Kelly', '1970-01-20', 'male', { suffix: 'Jr' })],
    ['mother and newborn', patient('Maria', 'Garcia', '1990-05-01', 'female'), patient('Sofia', 'Garcia', '2026-11-01', 'female')],
  ])('%s → two persons', async (_name, a, b) => {
    const pa = await create(a);
    const pb = await create(b);
    const [x, y] = [await personOf(pa.id!), await personOf(pb.id!)];
    expect(x).toBeDefined();
    expect(y).toBeDefined();
    expect(x).not.toBe(y);
  });

  test('an unrelated edit does not re-decide; an identity change that no longer matches moves the record out', async () => {
    const a = await create(patient('Daniel', 'Okafor', '1991-12-30', 'male'));
    const b = await create(patient('Danny', 'Okafor', '1991-12-30', 'male', { clinic: 'b' }));
    const person = await personOf(a.id!);
    expect(await personOf(b.id!)).toBe(person);
    await put({ ...b, telecom: [{ system: 'email', value: 'x@example.org' }] });
    expect(await personOf(b.id!)).toBe(person);
    // Registration error corrected: b is someone else entirely.
    await put({ ...b, name: [{ family: 'Fitzgerald', given: ['Harriet'] }], gender: 'female', birthDate: '1950-02-02', address: [{ line: ['1 Far Road'], city: 'Perth', postalCode: '6000' }] });
    expect(await personOf(b.id!)).not.toBe(person);
    expect(await personOf(a.id!)).toBe(person);
    const golden = await getJson<Person>(`/Person/${person}`);
    expect(golden.link?.map((l) => l.target.reference)).toEqual([`Patient/${a.id}`]);
  });

  test('deleting a Patient removes it from its person (and an emptied person\'s golden record is deleted)', async () => {
    const a = await create(patient('Zeno', 'Papadakis', '1944-04-04', 'male'));
    const person = await personOf(a.id!);
    expect((await t.http(`/Person/${person}`)).status).toBe(200);
    expect((await t.http(`/Patient/${a.id}`, { method: 'DELETE' })).status).toBeLessThan(300);
    expect(await personOf(a.id!)).toBeUndefined();
    expect((await t.http(`/Person/${person}`)).status).toBe(410);
  });
});

describe('transaction Bundles', () => {
  test('two records of one person in one transaction Bundle → one person; a failed Bundle leaves no linkage behind', async () => {
    const a = patient('Ignatius', 'Featherstone', '1945-05-05', 'male');
    const b = patient('Iggy', 'Featherstone', '1945-05-05', 'male', { clinic: 'b' });
    const res = await t.http('', {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [a, b].map((resource) => ({ resource, request: { method: 'POST', url: 'Patient' } })) }),
    });
    expect(res.status).toBe(200);
    const ids = ((await res.json()) as Bundle).entry!.map((e) => e.response!.location!.match(/Patient\/([^/]+)/)![1]!);
    expect(await personOf(ids[0]!)).toBeDefined();
    expect(await personOf(ids[1]!)).toBe(await personOf(ids[0]!));

    const c = patient('Millicent', 'Featherstone', '1912-12-12', 'female');
    const bad = await t.http('', {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [
        { resource: c, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Patient', birthDate: 'not-a-date' }, request: { method: 'POST', url: 'Patient' } },
      ] }),
    });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    const leftovers = await t.services.knex('linkage_record').count('* as n');
    const patients = await t.services.knex('Patient').where('deleted', false).count('* as n');
    expect(Number(leftovers[0]!.n)).toBe(Number(patients[0]!.n));
  });
});

describe('concurrent creates of the same person at two clinics', () => {
  test.each([0, 1, 2, 3])('round %i → one person', async (round) => {
    const [formal, nick, family, dob, line, postalCode] = [
      ['Elizabeth', 'Liz', 'Abernathy', '1966-01-14', '3 Rose Lane', '3000'],
      ['William', 'Bill', 'Bjornsson', '1952-07-30', '77 Harbour Road', '4000'],
      ['Katherine', 'Kate', 'Castellanos', '1987-10-05', '5 Hill Street', '5000'],
      ['Alexander', 'Alex', 'Dimitrov', '2003-02-27', '41 Bay Parade', '7000'],
    ][round]!;
    const gender = ['female', 'male', 'female', 'male'][round] as Patient['gender'];
    const a = patient(formal!, family!, dob!, gender, { clinic: 'north', line, postalCode });
    const b = patient(nick!, family!, dob!, gender, { clinic: 'south', line, postalCode });
    const [pa, pb] = await Promise.all([create(a), create(b)]);
    expect(await personOf(pa.id!)).toBeDefined();
    expect(await personOf(pa.id!)).toBe(await personOf(pb.id!));
    const members = await t.services.persons.membersOf(undefined, (await personOf(pa.id!))!);
    expect(members.sort()).toEqual([pa.id, pb.id].sort());
  });
});

describe('Patient/$match', () => {
  test('returns graded matches with search.score and the match-grade extension; onlyCertainMatches and count filter', async () => {
    const r1 = await create(patient('Theodore', 'Quinlan', '1958-08-21', 'male', { phone: '0412 345 678' }));
    const r2 = await create(patient('Ted', 'Quinlan', '1958-08-21', 'male', { clinic: 'b' }));
    const twin = await create(patient('Barnaby', 'Quinlan', '1958-08-21', 'male'));
    const query = patient('Theodore', 'Quinlan', '1958-08-21', 'male');
    delete query.identifier;
    const res = await op('/Patient/$match', [{ name: 'resource', resource: query }]);
    expect(res.status).toBe(200);
    const bundle = res.body as Bundle;
    expect(bundle.type).toBe('searchset');
    const byId = new Map(bundle.entry!.map((e) => [e.resource!.id, e]));
    expect(byId.get(r1.id)?.search?.extension).toEqual([{ url: MATCH_GRADE_URL, valueCode: 'certain' }]);
    expect(byId.get(r2.id)?.search?.score).toBeGreaterThan(0.9);
    expect(byId.get(twin.id)?.search?.extension?.[0]?.valueCode).toBe('possible');
    expect(byId.get(twin.id)!.search!.score!).toBeLessThan(byId.get(r2.id)!.search!.score!);
    const scores = bundle.entry!.map((e) => e.search!.score!);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);

    const certain = (await op('/Patient/$match', [{ name: 'resource', resource: query }, { name: 'onlyCertainMatches', valueBoolean: true }])).body as Bundle;
    expect(certain.entry!.every((e) => e.search?.extension?.[0]?.valueCode === 'certain')).toBe(true);
    expect(certain.entry!.map((e) => e.resource!.id)).not.toContain(twin.id);
    const one = (await op('/Patient/$match', [{ name: 'resource', resource: query }, { name: 'count', valueInteger: 1 }])).body as Bundle;
    expect(one.entry).toHaveLength(1);
  });

  test('rejects a call without a resource, and a resource without identifying data', async () => {
    expect((await op('/Patient/$match', [])).status).toBe(400);
    const r = await op('/Patient/$match', [{ name: 'resource', resource: { resourceType: 'Patient', gender: 'male' } as Patient }]);
    expect(r.status).toBe(400);
    expect(r.body.issue[0].expression[0]).toContain('resource');
  });
});

describe('review queue, manual link/unlink', () => {
  test('a possible match is queued; reject keeps the records apart for good, even after updates', async () => {
    const a = await create(patient('Hannah', 'Lindqvist', '2012-03-03', 'female'));
    const b = await create(patient('Freya', 'Lindqvist', '2012-03-03', 'female'));
    expect(await personOf(a.id!)).not.toBe(await personOf(b.id!));
    const queue = (await t.http(`/Patient/${a.id}/$linkage-review`).then((r) => r.json())) as Parameters;
    const item = queue.parameter?.find((p) => p.part?.some((x) => x.valueReference?.reference === `Patient/${b.id}`));
    expect(item?.part?.find((x) => x.name === 'status')?.valueCode).toBe('open');
    expect(item?.part?.find((x) => x.name === 'grade')?.valueCode).toBe('possible');

    expect((await op('/Patient/$unlink', [{ name: 'patient-a', valueReference: ref(a.id!) }, { name: 'patient-b', valueReference: ref(b.id!) }])).status).toBe(200);
    const after = (await t.http(`/Patient/$linkage-review?status=rejected&patient=Patient/${a.id}`).then((r) => r.json())) as Parameters;
    expect(after.parameter).toHaveLength(1);
    expect(after.parameter![0]!.part!.find((x) => x.name === 'resolved-by')?.valueString).toBe('anonymous');

    // b is corrected to look exactly like a: the rejection still holds.
    await put({ ...b, name: a.name });
    expect(await personOf(b.id!)).not.toBe(await personOf(a.id!));
    await put({ ...a, telecom: [{ system: 'phone', value: '0400 000 001' }] });
    expect(await personOf(b.id!)).not.toBe(await personOf(a.id!));
  });

  test('an automatic link rejected by a clerk is never re-linked automatically', async () => {
    const a = await create(patient('Gregory', 'Haddad', '1949-10-10', 'male'));
    const b = await create(patient('Greg', 'Haddad', '1949-10-10', 'male', { clinic: 'b' }));
    expect(await personOf(b.id!)).toBe(await personOf(a.id!));
    await op('/Patient/$unlink', [{ name: 'patient-a', valueReference: ref(a.id!) }, { name: 'patient-b', valueReference: ref(b.id!) }]);
    expect(await personOf(b.id!)).not.toBe(await personOf(a.id!));
    await put({ ...a, name: [{ family: 'Haddad', given: ['Gregory', 'John'] }] });
    await put({ ...b, name: [{ family: 'Haddad', given: ['Gregory'] }] });
    expect(await personOf(b.id!)).not.toBe(await personOf(a.id!));
    // A third record of the same man may join one of them, but never brings the two together.
    const c = await create(patient('Gregory', 'Haddad', '1949-10-10', 'male', { clinic: 'c' }));
    expect(await personOf(a.id!)).not.toBe(await personOf(b.id!));
    expect([await personOf(a.id!), await personOf(b.id!)]).toContain(await personOf(c.id!));
  });

  test('confirm links a possible pair for good; manual unlink separates it again', async () => {
    const a = await create(patient('Ingrid', 'Sorensen', '2001-01-01', 'female'));
    const b = await create(patient('Astrid', 'Sorensen', '2001-01-01', 'female'));
    expect(await personOf(a.id!)).not.toBe(await personOf(b.id!));
    const linked = await op('/Patient/$link', [{ name: 'patient-a', valueReference: ref(a.id!) }, { name: 'patient-b', valueReference: ref(b.id!) }]);
    expect(linked.status).toBe(200);
    const person = await personOf(a.id!);
    expect(await personOf(b.id!)).toBe(person);
    expect(linked.body.parameter[0].valueReference.reference).toBe(`Person/${person}`);
    const confirmed = (await t.http(`/Patient/$linkage-review?status=confirmed&patient=Patient/${b.id}`).then((r) => r.json())) as Parameters;
    expect(confirmed.parameter).toHaveLength(1);
    // Survives an update of either record.
    await put({ ...b, birthDate: '2001-01-02' });
    expect(await personOf(b.id!)).toBe(person);
    const golden = await getJson<Person>(`/Person/${person}`);
    expect(golden.link?.find((l) => l.target.reference === `Patient/${b.id}`)?.assurance).toBe('level4');

    expect((await op(`/Patient/${a.id}/$unlink`, [{ name: 'patient-b', valueReference: ref(b.id!) }])).status).toBe(200);
    expect(await personOf(b.id!)).not.toBe(await personOf(a.id!));
  });

  test('linking across a "different" decision is refused (409); bad references are 400/404', async () => {
    const a = await create(patient('Yusuf', 'Demir', '1988-08-08', 'male'));
    const b = await create(patient('Yusuf', 'Demir', '1988-08-08', 'male', { clinic: 'b' }));
    const c = await create(patient('Emre', 'Kaya', '1970-07-07', 'male'));
    await op('/Patient/$unlink', [{ name: 'patient-a', valueReference: ref(a.id!) }, { name: 'patient-b', valueReference: ref(b.id!) }]);
    await op('/Patient/$link', [{ name: 'patient-a', valueReference: ref(a.id!) }, { name: 'patient-b', valueReference: ref(c.id!) }]);
    const r = await op('/Patient/$link', [{ name: 'patient-a', valueReference: ref(c.id!) }, { name: 'patient-b', valueReference: ref(b.id!) }]);
    expect(r.status).toBe(409);
    expect((await op('/Patient/$link', [{ name: 'patient-a', valueReference: ref(a.id!) }, { name: 'patient-b', valueReference: { reference: 'Observation/1' } }])).status).toBe(400);
    expect((await op('/Patient/$link', [{ name: 'patient-a', valueReference: ref(a.id!) }, { name: 'patient-b', valueReference: ref('does-not-exist') }])).status).toBe(404);
  });
});

describe('merge and unmerge (R5 $merge semantics)', () => {
  test('source replaced-by target, inactive, still readable; unmerge restores and separates', async () => {
    const source = await create(patient('Oscar', 'Van Dijk', '1933-03-30', 'male', { clinic: 'old-system' }));
    const target = await create(patient('Petra', 'Novak', '1939-09-03', 'female'));
    expect(await personOf(source.id!)).not.toBe(await personOf(target.id!));
    const preview = await op('/Patient/$merge', [{ name: 'source-patient', valueReference: ref(source.id!) }, { name: 'target-patient', valueReference: ref(target.id!) }, { name: 'preview', valueBoolean: true }]);
    expect(preview.status).toBe(200);
    expect((await getJson<Patient>(`/Patient/${source.id}`)).active).toBeUndefined();

    const merged = await op('/Patient/$merge', [{ name: 'source-patient', valueReference: ref(source.id!) }, { name: 'target-patient', valueReference: ref(target.id!) }]);
    expect(merged.status).toBe(200);
    const result = merged.body.parameter.find((p: any) => p.name === 'result').resource as Patient;
    expect(result.link).toEqual([{ other: ref(source.id!), type: 'replaces' }]);
    const s = await getJson<Patient>(`/Patient/${source.id}`);
    expect(s.active).toBe(false);
    expect(s.link).toEqual([{ other: ref(target.id!), type: 'replaced-by' }]);
    const person = await personOf(target.id!);
    expect(await personOf(source.id!)).toBe(person);
    // Updating the source later does not undo the merge.
    await put({ ...s, telecom: [{ system: 'phone', value: '0299 999 999' }] });
    expect(await personOf(source.id!)).toBe(person);
    expect((await op('/Patient/$merge', [{ name: 'source-patient', valueReference: ref(source.id!) }, { name: 'target-patient', valueReference: ref(target.id!) }])).status).toBe(409);
    expect((await op('/Patient/$unlink', [{ name: 'patient-a', valueReference: ref(target.id!) }, { name: 'patient-b', valueReference: ref(source.id!) }])).status).toBe(409);

    const un = await op('/Patient/$unmerge', [{ name: 'source-patient', valueReference: ref(source.id!) }]);
    expect(un.status).toBe(200);
    const s2 = await getJson<Patient>(`/Patient/${source.id}`);
    expect(s2.active).toBeUndefined();
    expect(s2.link).toBeUndefined();
    expect((await getJson<Patient>(`/Patient/${target.id}`)).link).toBeUndefined();
    expect(await personOf(source.id!)).not.toBe(await personOf(target.id!));
    expect((await op('/Patient/$unmerge', [{ name: 'source-patient', valueReference: ref(source.id!) }])).status).toBe(404);
  });
});

describe('token-only clinics ($tokenized-patient)', () => {
  test('site tokens create a PHI-free Patient linked with the PHI record of the same person; resubmission updates it', async () => {
    const phi = await create(patient('Margaret', 'Oyelaran', '1971-04-12', 'female', { phone: '0411 222 333' }));
    // What `tessera tokenize --site clinic-t` produces at the clinic for its record "Peggy Oyelaran".
    const clinicRecord = patient('Peggy', 'Oyelaran', '1971-04-12', 'female', { phone: '0411 222 333' });
    const sealed = toSiteTokens(computeTokens(normalizePerson(fhirPatientToPersonPhi(clinicRecord)), key), key, 'clinic-t').sealed;
    const params = [
      { name: 'site', valueString: 'clinic-t' },
      { name: 'tokens', valueString: sealed },
      { name: 'identifier', valueIdentifier: { system: 'urn:clinic:t', value: 'T-0001' } },
    ];
    const r = await op('/Patient/$tokenized-patient', params);
    expect(r.status).toBe(200);
    const created = r.body.parameter.find((p: any) => p.name === 'patient').resource as Patient;
    expect(created.name).toBeUndefined();
    expect(created.birthDate).toBeUndefined();
    expect(JSON.stringify(created)).not.toMatch(/Oyelaran|Peggy|1971/);
    expect(r.body.parameter.find((p: any) => p.name === 'created').valueBoolean).toBe(true);
    expect(await personOf(created.id!)).toBe(await personOf(phi.id!));

    const again = await op('/Patient/$tokenized-patient', params);
    expect(again.body.parameter.find((p: any) => p.name === 'created').valueBoolean).toBe(false);
    expect(again.body.parameter.find((p: any) => p.name === 'patient').resource.id).toBe(created.id);

    // A token-only record of someone else (twin sister at the same address) stays apart.
    const twin = patient('Grace', 'Oyelaran', '1971-04-12', 'female');
    const sealedTwin = toSiteTokens(computeTokens(normalizePerson(fhirPatientToPersonPhi(twin)), key), key, 'clinic-t').sealed;
    const rt = await op('/Patient/$tokenized-patient', [{ name: 'site', valueString: 'clinic-t' }, { name: 'tokens', valueString: sealedTwin }, { name: 'identifier', valueIdentifier: { system: 'urn:clinic:t', value: 'T-0002' } }]);
    expect(await personOf(rt.body.parameter[0].resource.id)).not.toBe(await personOf(phi.id!));
  });

  test('tokens sealed for another site, or under another master key, are refused', async () => {
    const rec = normalizePerson(fhirPatientToPersonPhi(patient('Ann', 'Lee', '1990-01-01', 'female')));
    const sealed = toSiteTokens(computeTokens(rec, key), key, 'clinic-x').sealed;
    const wrongSite = await op('/Patient/$tokenized-patient', [{ name: 'site', valueString: 'clinic-y' }, { name: 'tokens', valueString: sealed }, { name: 'identifier', valueIdentifier: { system: 'urn:clinic:y', value: '1' } }]);
    expect(wrongSite.status).toBe(400);
    const other = masterKeyFromSecret('another-secret-entirely-0123456789');
    const foreign = toSiteTokens(computeTokens(rec, other), other, 'clinic-x').sealed;
    expect((await op('/Patient/$tokenized-patient', [{ name: 'site', valueString: 'clinic-x' }, { name: 'tokens', valueString: foreign }, { name: 'identifier', valueIdentifier: { system: 'urn:clinic:x', value: '1' } }])).status).toBe(400);
  });
});

describe('audit', () => {
  test('automatic links, clerical decisions and merges are written as AuditEvents holding references only', async () => {
    const a = await create(patient('Winifred', 'Ashworth', '1929-11-11', 'female'));
    const b = await create(patient('Winnie', 'Ashworth', '1929-11-11', 'female', { clinic: 'b' }));
    await op('/Patient/$unlink', [{ name: 'patient-a', valueReference: ref(a.id!) }, { name: 'patient-b', valueReference: ref(b.id!) }]);
    const rows = (await t.services.knex('AuditEvent').where('deleted', false).select('content')) as Array<{ content: AuditEvent | string }>;
    const events = rows.map((r) => (typeof r.content === 'string' ? (JSON.parse(r.content) as AuditEvent) : r.content));
    const about = events.filter((e) => e.entity?.some((x) => x.what?.reference === `Patient/${b.id}`));
    const actions = about.map((e) => e.subtype?.[0]?.code).sort();
    expect(actions).toEqual(['auto-link', 'unlink']);
    const unlink = about.find((e) => e.subtype?.[0]?.code === 'unlink')!;
    expect(unlink.agent[0]!.who?.identifier?.value).toBe('anonymous');
    expect(unlink.agent[0]!.requestor).toBe(true);
    for (const e of about) expect(JSON.stringify(e)).not.toMatch(/Ashworth|Winifred|Winnie|1929/);
    // Readable over FHIR REST too.
    const rest = await getJson<AuditEvent>(`/AuditEvent/${unlink.id}`);
    expect(rest.action).toBe('U');
  });
});
