import { describe, expect, test } from 'vitest';
import { ageBandAt, birthdayAt, isDay, wholeYears } from './tracking-model';

describe('tracking model', () => {
  test.each([
    ['2000-06-15', '2000-06-15', '0-4'],
    ['2000-06-15', '2005-06-14', '0-4'],
    ['2000-06-15', '2005-06-15', '5-11'],
    ['2000-06-15', '2012-06-15', '12-17'],
    ['2000-06-15', '2018-06-15', '18-49'],
    ['1950-01-01', '2000-01-01', '50-64'],
    ['1950-01-01', '2015-01-01', '65+'],
  ])('born %s, on %s → band %s', (birth, day, band) => {
    expect(ageBandAt(birth, day)).toBe(band);
  });

  test.each([
    ['2000-02-29', 1, '2001-03-01'],
    ['2000-02-29', 4, '2004-02-29'],
    ['1990-12-31', 18, '2008-12-31'],
  ])('born %s turns %i on %s', (birth, years, day) => {
    expect(birthdayAt(birth, years)).toBe(day);
    expect(wholeYears(birth, day)).toBe(years);
  });

  test.each([['2021-02-28', true], ['2021-02-29', false], ['2021-2-1', false], ['2021-13-01', false], ['', false]])('isDay(%s) = %s', (v, ok) => {
    expect(isDay(v)).toBe(ok);
  });
});
