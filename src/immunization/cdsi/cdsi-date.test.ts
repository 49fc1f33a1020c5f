import { describe, expect, test } from 'vitest';
import { addDuration, addDurationText, formatDay, parseDataDate, parseDay, parseDuration } from './cdsi-date';

const add = (date: string, duration: string) => formatDay(addDuration(parseDay(date)!, duration));

describe('CDSi date arithmetic (CALCDT-1..5)', () => {
  test.each([
    // years adjust only the year
    ['2000-01-01', '3 years', '2003-01-01'],
    ['2015-10-19', '4 years', '2019-10-19'],
    // months adjust only the month (and the year when it wraps)
    ['2000-01-01', '3 months', '2000-04-01'],
    ['2000-11-15', '3 months', '2001-02-15'],
    // weeks are 7 days; days are days
    ['2000-02-01', '5 weeks', '2000-03-07'],
    ['2000-02-01', '35 days', '2000-03-07'],
    ['2022-10-19', '0 days', '2022-10-19'],
    // combined terms, applied in written order
    ['2008-08-06', '12 months - 4 days', '2009-08-02'],
    ['2020-01-15', '6 months - 4 days', '2020-07-11'],
    ['2022-01-01', '3 months + 4 weeks', '2022-04-29'],
    ['2004-10-24', '18 years - 4 days', '2022-10-20'],
    // impossible dates roll to the 1st of the next month (CALCDT-5)
    ['2000-07-31', '2 months', '2000-10-01'],
    ['2001-01-31', '1 month', '2001-03-01'],
    ['2000-03-31', '1 month', '2000-05-01'],
    ['2000-02-29', '1 year', '2001-03-01'],
    ['2000-02-29', '4 years', '2004-02-29'],
    ['2000-03-31', '- 1 month', '2000-03-01'],
    // leap day by days
    ['2000-02-28', '1 day', '2000-02-29'],
    ['2001-02-28', '1 day', '2001-03-01'],
  ])('%s + %s = %s', (date, duration, expected) => {
    expect(add(date, duration)).toBe(expected);
  });

  test('parses durations into signed terms', () => {
    expect(parseDuration('6 months - 4 days')).toEqual([{ amount: 6, unit: 'month' }, { amount: -4, unit: 'day' }]);
    expect(parseDuration('1 year')).toEqual([{ amount: 1, unit: 'year' }]);
    expect(parseDuration('')).toBeUndefined();
    expect(parseDuration(null)).toBeUndefined();
    expect(() => parseDuration('six months')).toThrow(/Unparseable/);
    expect(() => parseDuration('6 months and then some')).toThrow(/Unparseable/);
  });

  test('empty data text means "not specified"', () => {
    expect(addDurationText(parseDay('2020-01-01')!, '')).toBeUndefined();
    expect(addDurationText(parseDay('2020-01-01')!, undefined)).toBeUndefined();
  });

  test.each([
    ['2022-10-19', '2022-10-19'],
    ['2022-10-19T00:00:00', '2022-10-19'],
    ['2022-02-29', undefined],
    ['2022-13-01', undefined],
    ['19-10-2022', undefined],
    ['', undefined],
  ])('parseDay(%j)', (text, expected) => {
    const d = parseDay(text);
    expect(d === undefined ? undefined : formatDay(d)).toBe(expected);
  });

  test.each([
    ['01/01/1957', '1957-01-01'],
    ['20220701', '2022-07-01'],
    ['', undefined],
  ])('parseDataDate(%j)', (text, expected) => {
    const d = parseDataDate(text);
    expect(d === undefined ? undefined : formatDay(d)).toBe(expected);
  });
});
