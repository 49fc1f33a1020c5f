import { describe, expect, test } from 'vitest';
import { compilePath } from './path-evaluator';

const obs = {
  resourceType: 'Observation',
  subject: { reference: 'Patient/1' },
  valueQuantity: { value: 5 },
  code: { coding: [{ system: 's', code: 'c' }] },
  component: [{ code: { text: 'x' }, valueString: 'a' }],
};

describe('compilePath', () => {
  test.each([
    ['Observation.subject.where(resolve() is Patient)', [{ value: { reference: 'Patient/1' }, type: 'Reference' }], 'Patient'],
    ['(Observation.value as Quantity)', [{ value: { value: 5 }, type: 'Quantity' }], undefined],
    ['Observation.value.as(Quantity)', [{ value: { value: 5 }, type: 'Quantity' }], undefined],
    ['Observation.value.as(CodeableConcept)', [], undefined],
    ['Observation.value', [{ value: { value: 5 }, type: 'Quantity' }], undefined],
    ['Observation.code', [{ value: obs.code, type: 'CodeableConcept' }], undefined],
    ["Observation.component.where(code.text='x').value", [{ value: 'a' }], undefined],
  ])('%s', (expr, expected, refType) => {
    const f = compilePath(expr, 'Observation');
    expect(f(obs)).toEqual(expected);
    expect(f.refType).toBe(refType);
  });

  test('relative component paths navigate choice types by suffix', () => {
    expect(compilePath('value.as(Quantity)', 'Observation', true)(obs)).toEqual([{ value: { value: 5 }, type: 'Quantity' }]);
  });
});
