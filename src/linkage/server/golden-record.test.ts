import { describe, expect, test } from 'vitest';
import type { Patient } from 'fhir/r4';
import { assuranceOf, goldenPerson, type PersonMember } from './golden-record';

describe('assuranceOf', () => {
  test.each<[PersonMember, number, string]>([
    [{ patientId: 'a', method: 'manual' }, 2, 'level4'],
    [{ patientId: 'a', method: 'merge' }, 2, 'level4'],
    [{ patientId: 'a', method: 'auto', score: 0.995 }, 2, 'level3'],
    [{ patientId: 'a', method: 'auto', score: 0.95 }, 2, 'level2'],
    [{ patientId: 'a', method: 'new' }, 2, 'level1'],
    [{ patientId: 'a', method: 'auto', score: 0.999 }, 1, 'level1'],
  ])('%o in a person of %i → %s', (m, n, level) => {
    expect(assuranceOf(m, n)).toBe(level);
  });
});

describe('goldenPerson', () => {
  const older: Patient = { resourceType: 'Patient', id: 'p1', meta: { lastUpdated: '2026-01-01T00:00:00Z' }, name: [{ family: 'Old' }], birthDate: '1980-01-01' };
  const newer: Patient = { resourceType: 'Patient', id: 'p2', meta: { lastUpdated: '2026-06-01T00:00:00Z' }, name: [{ family: 'New' }], gender: 'female', birthDate: '1980-01-01' };
  const inactive: Patient = { resourceType: 'Patient', id: 'p3', active: false, meta: { lastUpdated: '2026-09-01T00:00:00Z' }, name: [{ family: 'Merged' }] };
  const tokenOnly: Patient = { resourceType: 'Patient', id: 'p4', meta: { lastUpdated: '2026-10-01T00:00:00Z' }, identifier: [{ system: 'urn:x', value: '1' }] };
  const members: PersonMember[] = ['p4', 'p3', 'p2', 'p1'].map((patientId) => ({ patientId, method: 'auto', score: 0.999 }));

  test('links every member (sorted) and takes demographics from the active, most recently updated record with PHI', () => {
    const p = goldenPerson('person-1', members, [older, newer, inactive, tokenOnly]);
    expect(p.id).toBe('person-1');
    expect(p.link?.map((l) => l.target.reference)).toEqual(['Patient/p1', 'Patient/p2', 'Patient/p3', 'Patient/p4']);
    expect(p.name).toEqual([{ family: 'New' }]);
    expect(p.gender).toBe('female');
  });

  test('a person of token-only records carries no demographics', () => {
    const p = goldenPerson('person-2', [{ patientId: 'p4', method: 'new' }], [tokenOnly]);
    expect(p.name).toBeUndefined();
    expect(p.birthDate).toBeUndefined();
    expect(p.link).toEqual([{ target: { reference: 'Patient/p4' }, assurance: 'level1' }]);
  });
});
