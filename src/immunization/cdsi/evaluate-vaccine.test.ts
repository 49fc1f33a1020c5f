import { describe, expect, test } from 'vitest';
import { parseDay } from './cdsi-date';
import { evaluateVaccine, isInadvertent } from './evaluate-vaccine';
import { seriesDose } from './test-support';

const target = seriesDose({
  preferableVaccine: [{ vaccineType: 'Hep B, Adol/peds', cvx: '08', beginAge: '0 days', endAge: '20 years' }],
  allowableVaccine: [
    { vaccineType: 'Hep B, Adult', cvx: '43', beginAge: '0 days', endAge: '' },
    { vaccineType: 'Hep B, adjuvanted', cvx: '189', beginAge: '18 years - 4 days', endAge: '' },
  ],
  inadvertentVaccine: [{ vaccineType: 'HPV, bivalent', cvx: '118' }],
});
const dob = parseDay('2000-01-01')!;

describe('preferable vs allowable vaccine', () => {
  test.each([
    ['preferable CVX in its age range', '08', '2010-01-01', 'preferable'],
    ['preferable CVX past its end age', '08', '2020-01-01', 'none'],
    ['allowable CVX', '43', '2010-01-01', 'allowable'],
    ['allowable CVX before its begin age', '189', '2017-12-27', 'none'],
    ['allowable CVX on its begin age (18 years - 4 days)', '189', '2017-12-28', 'allowable'],
    ['unlisted CVX', '03', '2010-01-01', 'none'],
  ])('%s', (_label, cvx, date, expected) => {
    expect(evaluateVaccine(target, dob, parseDay(date)!, cvx)).toBe(expected);
  });

  test('CVX codes match regardless of leading zeros', () => {
    expect(evaluateVaccine(target, dob, parseDay('2010-01-01')!, '8')).toBe('preferable');
  });

  test('inadvertent vaccines are flagged', () => {
    expect(isInadvertent(target, '118')).toBe(true);
    expect(isInadvertent(target, '08')).toBe(false);
  });
});
