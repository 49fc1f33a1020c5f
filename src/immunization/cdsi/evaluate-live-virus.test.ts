import { describe, expect, test } from 'vitest';
import { formatDay, parseDay } from './cdsi-date';
import { hasLiveVirusConflict, latestConflictEnd } from './evaluate-live-virus';
import { loadSupportingData } from './supporting-data';
import { antigenDose } from './test-support';

const data = loadSupportingData();
const valid = () => true;
const notValid = () => false;

describe('live virus conflicts (CDSi supporting data: liveVirusConflicts)', () => {
  // MMR (03) → MMR (03): conflict 1 day .. 24 days (previous valid) / 28 days (previous not valid)
  test.each([
    ['same day', '2020-01-01', valid, false],
    ['1 day later', '2020-01-02', valid, true],
    ['23 days later, previous valid', '2020-01-24', valid, true],
    ['24 days later, previous valid (grace)', '2020-01-25', valid, false],
    ['24 days later, previous not valid', '2020-01-25', notValid, true],
    ['28 days later, previous not valid', '2020-01-29', notValid, false],
  ])('MMR then MMR %s', (_label, date, isValid, expected) => {
    const prev = antigenDose('2020-01-01', '3', 0);
    const cur = antigenDose(date, '3', 1);
    expect(hasLiveVirusConflict(data, [prev, cur], cur, isValid)).toBe(expected);
  });

  test('LAIV (149) then varicella (21) within 28 days conflicts; inactivated vaccines never do', () => {
    const laiv = antigenDose('2022-09-22', '149', 0);
    expect(hasLiveVirusConflict(data, [laiv], antigenDose('2022-10-19', '21', 1), valid)).toBe(true);
    expect(hasLiveVirusConflict(data, [laiv], antigenDose('2022-10-20', '21', 1), valid)).toBe(false);
    expect(hasLiveVirusConflict(data, [laiv], antigenDose('2022-10-01', '20', 1), valid)).toBe(false);
  });

  test('the forecast earliest date waits for the latest conflict end', () => {
    const history = [antigenDose('2022-09-22', '3', 0), antigenDose('2022-10-01', '149', 1)];
    expect(formatDay(latestConflictEnd(data, history, ['21'], valid, parseDay('2022-10-19')!)!)).toBe('2022-10-29');
    expect(latestConflictEnd(data, history, ['20'], valid, parseDay('2022-10-19')!)).toBeUndefined();
  });
});
