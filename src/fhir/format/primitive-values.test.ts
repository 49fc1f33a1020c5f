import { describe, expect, test } from 'vitest';
import { FhirError } from '../../shared/fhir-error';
import { formatPrimitive, parsePrimitive } from './primitive-values';

describe('parsePrimitive', () => {
  test.each([
    ['boolean', 'true', true],
    ['boolean', 'false', false],
    ['integer', '-2147483648', -2147483648],
    ['integer', '0', 0],
    ['unsignedInt', '0', 0],
    ['positiveInt', '2147483647', 2147483647],
    ['decimal', '1.50', 1.5],
    ['decimal', '-0.001', -0.001],
    ['decimal', '1E-22', 1e-22],
    ['decimal', '1000000000000000000', 1e18],
    ['string', ' spaced ', ' spaced '],
    ['string', '', ''],
    ['date', '2020-02', '2020-02'],
    ['code', 'x', 'x'],
  ])('%s %j → %j', (code, raw, expected) => {
    expect(parsePrimitive(code, raw, 'X.y')).toStrictEqual(expected);
  });

  test.each([
    ['boolean', 'maybe'],
    ['boolean', 'True'],
    ['boolean', ''],
    ['integer', '1.0'],
    ['integer', '+1'],
    ['integer', '01'],
    ['integer', '2147483648'],
    ['integer', ''],
    ['unsignedInt', '-1'],
    ['positiveInt', '0'],
    ['decimal', '1,5'],
    ['decimal', '.5'],
    ['decimal', 'NaN'],
    ['decimal', '1e999'],
  ])('%s %j is rejected with 400 naming the path', (code, raw) => {
    const fn = () => parsePrimitive(code, raw, 'X.y');
    expect(fn).toThrow(FhirError);
    expect(fn).toThrow(/at X\.y/);
  });
});

describe('formatPrimitive', () => {
  test.each([
    ['boolean', true, 'true'],
    ['integer', -3, '-3'],
    ['decimal', 1.5, '1.5'],
    ['decimal', 1e-245, '1e-245'],
    ['string', 'a', 'a'],
  ])('%s %j → %j', (code, value, expected) => {
    expect(formatPrimitive(code, value, 'X.y')).toBe(expected);
  });

  test.each([
    ['boolean', 'true'],
    ['integer', '3'],
    ['integer', 1.5],
    ['decimal', Number.NaN],
    ['string', 3],
    ['date', null],
  ])('%s %j is rejected', (code, value) => {
    expect(() => formatPrimitive(code, value, 'X.y')).toThrow(FhirError);
  });
});
