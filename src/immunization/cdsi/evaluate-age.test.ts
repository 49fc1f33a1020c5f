import { describe, expect, test } from 'vitest';
import { parseDay } from './cdsi-date';
import { evaluateAge } from './evaluate-age';
import type { EvaluatedDose } from './engine-types';
import { ageRow, antigenDose, seriesDose } from './test-support';

const dob = parseDay('2020-01-01')!;
// minimum age 6 weeks (2020-02-12), absolute minimum 6 weeks - 4 days (2020-02-08), maximum age 8 months + 1 day (2020-09-02)
const target = seriesDose({ age: [ageRow('6 weeks - 4 days', '6 weeks', '8 months + 1 day')] });
const prevValid: EvaluatedDose = { dose: antigenDose('2020-01-01', '08'), status: 'Valid', targetDose: 0 };
const prevTooYoung: EvaluatedDose = { dose: antigenDose('2020-01-20', '08'), status: 'Not Valid', reason: 'Age: Too Young', targetDose: 0 };
const prevInterval: EvaluatedDose = { dose: antigenDose('2020-01-20', '08'), status: 'Not Valid', reason: 'Interval: too short', targetDose: 0 };
const prevLive: EvaluatedDose = { dose: antigenDose('2020-01-20', '08'), status: 'Not Valid', reason: 'Live Virus Conflict', targetDose: 0 };

describe('evaluateAge (CDSi 4-day grace period)', () => {
  test.each([
    ['before the absolute minimum age', '2020-02-07', undefined, 'Age: Too Young'],
    ['on the absolute minimum age (grace)', '2020-02-08', undefined, undefined],
    ['inside the grace period, previous valid', '2020-02-10', prevValid, undefined],
    ['inside the grace period, previous too young', '2020-02-10', prevTooYoung, 'Age: Too Young'],
    ['inside the grace period, previous interval too short', '2020-02-10', prevInterval, 'Age: Too Young'],
    ['inside the grace period, previous not valid for another reason', '2020-02-10', prevLive, undefined],
    ['on the minimum age, previous too young', '2020-02-12', prevTooYoung, undefined],
    ['the day before the maximum age', '2020-09-01', undefined, undefined],
    ['on the maximum age', '2020-09-02', undefined, 'Age: Too Old'],
  ])('%s', (_label, date, previous, expected) => {
    expect(evaluateAge(target, dob, parseDay(date)!, previous)).toBe(expected);
  });

  test('a dose without age rows is always age-valid', () => {
    expect(evaluateAge(seriesDose({ age: [] }), dob, dob, undefined)).toBeUndefined();
  });

  test('picks the age row effective on the dose date', () => {
    const dated = seriesDose({
      age: [
        { ...ageRow('1 year', '1 year'), cessationDate: '20200601' },
        { ...ageRow('0 days', '0 days'), effectiveDate: '20200601' },
      ],
    });
    expect(evaluateAge(dated, dob, parseDay('2020-05-31')!, undefined)).toBe('Age: Too Young');
    expect(evaluateAge(dated, dob, parseDay('2020-06-01')!, undefined)).toBeUndefined();
  });
});
