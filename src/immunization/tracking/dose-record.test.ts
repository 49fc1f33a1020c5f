import type { Immunization } from 'fhir/r4';
import { describe, expect, test } from 'vitest';
import { dedupeDoses, referencedId, trackedDose } from './dose-record';

const base: Immunization = {
  resourceType: 'Immunization', status: 'completed', patient: { reference: 'Patient/p1' }, occurrenceDateTime: '2021-03-01T10:00:00Z',
  vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '0208' }] }, performer: [{ actor: { display: 'Dr X' } }, { actor: { reference: 'Organization/north' } }],
};

describe('tracked doses', () => {
  test('a completed dose: patient, day, normalised CVX, clinic of the Organization performer', () => {
    expect(trackedDose('i1', base)).toEqual({ immunizationId: 'i1', patientId: 'p1', date: '2021-03-01', cvx: '208', clinic: 'north' });
  });

  test.each([
    ['entered-in-error', { status: 'entered-in-error' }],
    ['not-done', { status: 'not-done' }],
    ['no CVX coding', { vaccineCode: { text: 'flu' } }],
    ['no date', { occurrenceDateTime: undefined, occurrenceString: 'last spring' }],
    ['no patient', { patient: { display: 'someone' } }],
  ])('%s → not tracked', (_name, change) => {
    expect(trackedDose('i1', { ...base, ...change } as Immunization)).toBeUndefined();
  });

  test.each([
    ['Patient/abc', 'abc'],
    ['https://other.example/fhir/Patient/abc', 'abc'],
    ['Patient/abc/_history/2', 'abc'],
    ['Group/abc', undefined],
  ])('reference %s → %s', (ref, id) => {
    expect(referencedId({ reference: ref }, 'Patient')).toBe(id);
  });

  test('the same day and CVX reported twice counts once (the smallest id is kept)', () => {
    const d = (id: string, date: string, cvx: string) => ({ immunizationId: id, patientId: 'p', date, cvx, clinic: '' });
    const { kept, duplicates } = dedupeDoses([d('b', '2021-03-01', '208'), d('a', '2021-03-01', '208'), d('c', '2021-03-01', '207'), d('d', '2021-02-01', '208')]);
    expect(kept.map((k) => k.immunizationId)).toEqual(['d', 'a', 'c']);
    expect(duplicates.map((x) => [x.dose.immunizationId, x.of])).toEqual([['b', 'a']]);
  });
});
