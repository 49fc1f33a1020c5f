import { describe, expect, it } from 'vitest';
import type { ParametersParameter } from 'fhir/r4';
import type { OperationCall } from '../rest/request-context';
import { booleanParameter, integerParameter, rejectUnknownParameters, stringParameter } from './operation-parameters';

const call = (...parameter: ParametersParameter[]): OperationCall => ({ parameters: { resourceType: 'Parameters', parameter }, query: [] });

describe('operation parameters', () => {
  it.each([
    [call({ name: 'date', valueDate: '2024-01-02' }), '2024-01-02'],
    [call({ name: 'date', valueString: '2024-01-02' }), '2024-01-02'],
    [call(), undefined],
  ])('stringParameter reads typed and query-string values', (c, expected) => expect(stringParameter(c, 'date')).toBe(expected));

  it('rejects a repeated scalar, an empty value, a bad boolean, an out-of-range integer and an unknown name with 400', () => {
    for (const fn of [
      () => stringParameter(call({ name: 'date', valueString: 'a' }, { name: 'date', valueString: 'b' }), 'date'),
      () => stringParameter(call({ name: 'date', valueString: '' }), 'date'),
      () => booleanParameter(call({ name: 'flag', valueString: 'yes' }), 'flag'),
      () => integerParameter(call({ name: 'count', valueString: '0' }), 'count', 1, 10),
      () => rejectUnknownParameters(call({ name: 'colour', valueString: 'red' }), new Set(['date']), 'x'),
    ]) {
      expect(fn).toThrowError(expect.objectContaining({ status: 400 }));
    }
  });

  it('accepts booleans and integers from either form', () => {
    expect(booleanParameter(call({ name: 'flag', valueString: 'true' }), 'flag')).toBe(true);
    expect(integerParameter(call({ name: 'count', valueInteger: 3 }), 'count', 1, 10)).toBe(3);
  });
});
