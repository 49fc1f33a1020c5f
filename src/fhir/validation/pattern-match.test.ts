import { describe, expect, test } from 'vitest';
import { deepEqual, fixedOrPattern, matchesPattern } from './pattern-match';

describe('matchesPattern', () => {
  const cvx = { coding: [{ system: 'http://hl7.org/fhir/sid/cvx' }] };
  test.each([
    ['extra properties are allowed', { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '140' }], text: 'flu' }, cvx, true],
    ['pattern array item may match any instance item', { coding: [{ system: 'x', code: '1' }, { system: 'http://hl7.org/fhir/sid/cvx', code: '140' }] }, cvx, true],
    ['no matching item', { coding: [{ system: 'x', code: '1' }] }, cvx, false],
    ['missing array', { text: 'flu' }, cvx, false],
    ['primitive equal', 'a', 'a', true],
    ['primitive different', 'a', 'b', false],
  ])('%s', (_label, instance, pattern, expected) => {
    expect(matchesPattern(instance, pattern)).toBe(expected);
  });
});

describe('deepEqual', () => {
  test.each([
    [{ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }, true],
    [{ a: 1 }, { a: 1, b: 2 }, false],
    [[1, 2], [2, 1], false],
    [null, null, true],
    [null, {}, false],
  ])('%j vs %j', (a, b, expected) => {
    expect(deepEqual(a, b)).toBe(expected);
  });
});

test('fixedOrPattern finds fixed[x] and pattern[x]', () => {
  expect(fixedOrPattern({ path: 'x', fixedCode: 'a' })).toEqual({ kind: 'fixed', key: 'fixedCode', value: 'a' });
  expect(fixedOrPattern({ path: 'x', patternCoding: { system: 's' } })).toEqual({ kind: 'pattern', key: 'patternCoding', value: { system: 's' } });
  expect(fixedOrPattern({ path: 'x', fixed: 1 })).toBeUndefined();
});
