import type { StructureDefinition } from 'fhir/r4';
import { describe, expect, test } from 'vitest';
import { getStructureDefinition } from '../model/definitions';
import { applyDifferential } from './apply-differential';

const base = () => getStructureDefinition('Patient')!.snapshot!.element.map((def) => ({ def, constrained: false, constraints: [] }));
const profile = (elements: object[]): StructureDefinition =>
  ({ resourceType: 'StructureDefinition', url: 'http://x/p', type: 'Patient', differential: { element: elements } }) as unknown as StructureDefinition;

describe('applyDifferential', () => {
  test('tightens cardinality and marks only touched elements as checked', () => {
    const out = applyDifferential(profile([{ id: 'Patient.birthDate', path: 'Patient.birthDate', min: 1, short: 'ignored' }]), base());
    const birth = out.find((w) => w.def.id === 'Patient.birthDate')!;
    expect(birth.def.min).toBe(1);
    expect(birth.constrained).toBe(true);
    expect([...birth.changed!]).toEqual(['min']);
    expect(out.filter((w) => w.constrained)).toHaveLength(1);
    // the base snapshot itself is not modified
    expect(getStructureDefinition('Patient')!.snapshot!.element.find((e) => e.id === 'Patient.birthDate')!.min).toBe(0);
  });

  test('unfolds a data type to reach its children', () => {
    const out = applyDifferential(profile([{ id: 'Patient.identifier.system', path: 'Patient.identifier.system', min: 1 }]), base());
    const system = out.find((w) => w.def.id === 'Patient.identifier.system')!;
    expect(system.def.path).toBe('Patient.identifier.system');
    expect(system.def.min).toBe(1);
    expect(out.find((w) => w.def.id === 'Patient.identifier.value')?.constrained).toBe(false);
  });

  test('creates slices and their children', () => {
    const out = applyDifferential(
      profile([
        { id: 'Patient.identifier', path: 'Patient.identifier', slicing: { discriminator: [{ type: 'value', path: 'system' }], rules: 'open' } },
        { id: 'Patient.identifier:mrn', path: 'Patient.identifier', sliceName: 'mrn', min: 1 },
        { id: 'Patient.identifier:mrn.system', path: 'Patient.identifier.system', fixedUri: 'urn:mrn' },
      ]),
      base(),
    );
    expect(out.find((w) => w.def.id === 'Patient.identifier:mrn')?.def).toMatchObject({ sliceName: 'mrn', min: 1 });
    expect(out.find((w) => w.def.id === 'Patient.identifier:mrn.system')?.def).toMatchObject({ fixedUri: 'urn:mrn' });
  });

  test('adds constraints to evaluate, keeping only error invariants with an expression', () => {
    const out = applyDifferential(
      profile([
        {
          id: 'Patient',
          path: 'Patient',
          constraint: [
            { key: 'x-1', severity: 'error', human: 'h', expression: 'name.exists()' },
            { key: 'x-2', severity: 'warning', human: 'h', expression: 'name.exists()' },
          ],
        },
      ]),
      base(),
    );
    expect(out[0].constraints.map((c) => c.key)).toEqual(['x-1']);
  });

  test('rejects elements that do not exist', () => {
    expect(() => applyDifferential(profile([{ id: 'Patient.name.nickname', path: 'Patient.name.nickname' }]), base())).toThrow(/Patient\.name\.nickname/);
  });
});
