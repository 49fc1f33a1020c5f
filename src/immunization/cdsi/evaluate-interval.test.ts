import { describe, expect, test } from 'vitest';
import { parseDay } from './cdsi-date';
import { allowableIntervalMet, evaluatePreferableInterval, intervalReferenceDate } from './evaluate-interval';
import type { EvaluatedDose } from './engine-types';
import { loadSupportingData } from './supporting-data';
import { antigenDose, intervalRow, patient, series, seriesDose, state } from './test-support';

const data = loadSupportingData();
const d1 = antigenDose('2020-03-01', '20', 0);
const valid1: EvaluatedDose = { dose: d1, status: 'Valid', targetDose: 0 };
// 4 weeks from 2020-03-01 = 2020-03-29; absolute minimum (4 weeks - 4 days) = 2020-03-25
const target2 = seriesDose({ doseNumber: 'Dose 2', interval: [intervalRow('4 weeks - 4 days', '4 weeks')] });
const s = series([seriesDose(), target2, seriesDose({ doseNumber: 'Dose 3' })]);
const p = patient(data, '2020-01-01', '2021-01-01', [d1]);

describe('evaluatePreferableInterval', () => {
  test.each([
    ['before the absolute minimum interval', '2020-03-24', 'Interval: too short'],
    ['on the absolute minimum interval (grace)', '2020-03-25', undefined],
    ['on the minimum interval', '2020-03-29', undefined],
  ])('%s', (_label, date, expected) => {
    expect(evaluatePreferableInterval(target2, state(p, s, [d1], [valid1]), [valid1], parseDay(date)!)).toBe(expected);
  });

  test('no grace after a dose that was not valid for age or interval', () => {
    const tooSoon: EvaluatedDose = { dose: antigenDose('2020-03-01', '20'), status: 'Not Valid', reason: 'Interval: too short', targetDose: 1 };
    const prior = [valid1, tooSoon];
    expect(evaluatePreferableInterval(target2, state(p, s, [d1], prior), prior, parseDay('2020-03-27')!)).toBe('Interval: too short');
    expect(evaluatePreferableInterval(target2, state(p, s, [d1], prior), prior, parseDay('2020-03-29')!)).toBeUndefined();
  });

  test('an inadvertent dose is never the reference dose', () => {
    const inadvertent: EvaluatedDose = { dose: antigenDose('2020-03-20', '20'), status: 'Not Valid', reason: 'Inadvertent Vaccine', targetDose: 1 };
    const prior = [valid1, inadvertent];
    expect(intervalReferenceDate(target2.interval![0], state(p, s, [d1], prior), prior, parseDay('2020-04-01')!)).toBe(d1.date);
  });

  test('from target dose N measures from the dose that satisfied it', () => {
    const target3 = seriesDose({ interval: [intervalRow('16 weeks - 4 days', '16 weeks', { fromPrevious: 'N', fromTargetDose: '1' })] });
    const d2: EvaluatedDose = { dose: antigenDose('2020-04-01', '20'), status: 'Valid', targetDose: 1 };
    const prior = [valid1, d2];
    const st = state(p, series([seriesDose(), target2, target3]), [d1], prior);
    expect(evaluatePreferableInterval(target3, st, prior, parseDay('2020-06-16')!)).toBe('Interval: too short'); // 15.3 weeks after dose 1
    expect(evaluatePreferableInterval(target3, st, prior, parseDay('2020-06-17')!)).toBeUndefined(); // 16 weeks - 4 days
  });

  test('an "override" interval from the most recent listed vaccine replaces the others', () => {
    const ppsv = antigenDose('2020-05-01', '33', 1);
    const pcvTarget = seriesDose({
      interval: [
        intervalRow('4 weeks - 4 days', '4 weeks'),
        intervalRow('8 weeks - 4 days', '8 weeks', { fromPrevious: 'N', fromMostRecent: '33', intervalPriority: 'override' }),
      ],
    });
    const pHist = patient(data, '2020-01-01', '2021-01-01', [d1, ppsv]);
    const st = state(pHist, series([seriesDose(), pcvTarget]), [d1], [valid1]);
    expect(evaluatePreferableInterval(pcvTarget, st, [valid1], parseDay('2020-06-01')!)).toBe('Interval: too short');
    expect(evaluatePreferableInterval(pcvTarget, st, [valid1], parseDay('2020-06-22')!)).toBeUndefined();
  });
});

describe('allowableIntervalMet', () => {
  const withAllowable = seriesDose({
    interval: [intervalRow('8 weeks - 4 days', '8 weeks')],
    allowableInterval: [{ fromPrevious: 'Y', fromTargetDose: '', absMinInt: '4 weeks', effectiveDate: '', cessationDate: '' }],
  });
  test.each([
    ['2020-03-28', false],
    ['2020-03-29', true],
  ])('dose on %s → %s', (date, expected) => {
    expect(allowableIntervalMet(withAllowable, state(p, s, [d1], [valid1]), [valid1], parseDay(date)!)).toBe(expected);
  });
  test('no allowable interval in the data → never met', () => {
    expect(allowableIntervalMet(target2, state(p, s, [d1], [valid1]), [valid1], parseDay('2030-01-01')!)).toBe(false);
  });
});
