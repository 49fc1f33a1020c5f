import { describe, expect, test } from 'vitest';
import { getNodeIndex, getTypeIndex } from './element-index';

describe('element index from StructureDefinitions', () => {
  test('resource children are in definition order with cardinality and kinds', () => {
    const idx = getTypeIndex('Patient');
    expect(idx.children.slice(0, 8).map((c) => c.base)).toEqual(['id', 'meta', 'implicitRules', 'language', 'text', 'contained', 'extension', 'modifierExtension']);
    expect(idx.byName.get('name')?.element.array).toBe(true);
    expect(idx.byName.get('gender')?.element.array).toBe(false);
    expect(idx.byName.get('id')?.type).toMatchObject({ code: 'string', kind: 'primitive' });
    expect(idx.byName.get('contained')?.type.kind).toBe('resource');
    expect(idx.attributes.size).toBe(0);
  });

  test('choice types get one name per type', () => {
    const idx = getTypeIndex('Observation');
    expect(idx.byName.get('valueQuantity')?.type).toMatchObject({ code: 'Quantity', kind: 'complex', node: { sd: 'Quantity', path: 'Quantity' } });
    expect(idx.byName.get('valueDateTime')?.type).toMatchObject({ code: 'dateTime', kind: 'primitive' });
    expect(idx.byName.has('value')).toBe(false);
    expect(idx.byName.get('valueString')?.element.choice).toBe(true);
  });

  test('data types: Element.id and Extension.url are attributes', () => {
    expect([...getTypeIndex('HumanName').attributes.keys()]).toEqual(['id']);
    expect([...getTypeIndex('Extension').attributes.keys()]).toEqual(['id', 'url']);
    expect(getTypeIndex('Narrative').byName.get('div')?.type.kind).toBe('xhtml');
  });

  test('backbone elements and contentReference resolve to the right node', () => {
    expect(getTypeIndex('Patient').byName.get('contact')?.type.node).toEqual({ sd: 'Patient', path: 'Patient.contact' });
    const item = getNodeIndex({ sd: 'Questionnaire', path: 'Questionnaire.item' });
    expect(item.byName.get('item')?.type.node).toEqual({ sd: 'Questionnaire', path: 'Questionnaire.item' });
    expect(getTypeIndex('Timing').byName.get('repeat')?.type.node).toEqual({ sd: 'Timing', path: 'Timing.repeat' });
  });

  test('indexes are cached', () => {
    expect(getTypeIndex('Patient')).toBe(getTypeIndex('Patient'));
  });
});
