import { describe, expect, test } from 'vitest';
import { parseDay } from './cdsi-date';
import { shouldSkipTargetDose, type SkipContext } from './conditional-skip';
import type { EvaluatedDose } from './engine-types';
import { loadSupportingData } from './supporting-data';
import type { CdsiConditionalSkip, CdsiSkipCondition } from './supporting-data-types';
import { antigenDose, patient, series, seriesDose, state } from './test-support';

const data = loadSupportingData();

function condition(over: Partial<CdsiSkipCondition>): CdsiSkipCondition {
  return {
    conditionID: '1', conditionType: 'Age', startDate: '', endDate: '', beginAge: '', endAge: '', interval: '', doseCount: '',
    doseType: '', doseCountLogic: '', vaccineTypes: '', seriesGroups: '', ...over,
  };
}
function skip(context: string, conditions: CdsiSkipCondition[], conditionLogic = '', setLogic = 'n/a'): CdsiConditionalSkip {
  return { context, setLogic, set: [{ setID: '1', setDescription: 'test', effectiveDate: '', cessationDate: '', conditionLogic, condition: conditions }] };
}

const doses = [antigenDose('2020-03-01', '20', 0), antigenDose('2020-05-01', '20', 1), antigenDose('2020-07-01', '106', 2)];
const evaluated: EvaluatedDose[] = [
  { dose: doses[0], status: 'Valid', targetDose: 0 },
  { dose: doses[1], status: 'Not Valid', reason: 'Interval: too short', targetDose: 1 },
  { dose: doses[2], status: 'Valid', targetDose: 1 },
];
const p = patient(data, '2020-01-01', '2027-06-01', doses);

function check(skips: CdsiConditionalSkip[], refDate: string, context: SkipContext, evaluatedCount = 3, completeGroups: string[] = []): boolean {
  const target = seriesDose({ conditionalSkip: skips });
  const st = state(p, series([seriesDose(), target, seriesDose()]), doses, evaluated.slice(0, evaluatedCount), completeGroups);
  return shouldSkipTargetDose(target, { state: st, refDate: parseDay(refDate)!, evaluatedCount, context });
}

describe('conditional skip', () => {
  const age7 = [skip('Both', [condition({ conditionType: 'Age', beginAge: '7 years' })])];
  test.each([
    ['age condition not met before 7 years', age7, '2026-12-31', 'Forecast', false],
    ['age condition met on the 7th birthday', age7, '2027-01-01', 'Forecast', true],
    ['"Both" applies to evaluation too', age7, '2027-01-01', 'Evaluation', true],
    ['an Evaluation-only skip is ignored when forecasting', [skip('Evaluation', [condition({ conditionType: 'Age', beginAge: '7 years' })])], '2027-01-01', 'Forecast', false],
  ] as const)('%s', (_label, skips, date, context, expected) => {
    expect(check([...skips], date, context)).toBe(expected);
  });

  test.each([
    ['Total doses > 2 counts every dose', 'Total', 'greater than', '2', '', true],
    ['Valid doses > 2 counts only valid ones', 'Valid', 'greater than', '2', '', false],
    ['Valid doses equal to 2', 'Valid', 'equal to', '2', '', true],
    ['Total doses of listed vaccine types only', 'Total', 'equal to', '1', '106', true],
    ['fewer than 4 total doses', 'Total', 'less than', '4', '', true],
  ])('vaccine count by age: %s', (_label, doseType, logic, count, types, expected) => {
    const s = [skip('Forecast', [condition({ conditionType: 'Vaccine Count by Age', beginAge: '6 weeks - 4 days', doseType, doseCountLogic: logic, doseCount: count, vaccineTypes: types })])];
    expect(check(s, '2021-01-01', 'Forecast')).toBe(expected);
  });

  test('vaccine count by age honours the age window', () => {
    const s = [skip('Forecast', [condition({ conditionType: 'Vaccine Count by Age', beginAge: '4 months', endAge: '', doseType: 'Total', doseCountLogic: 'equal to', doseCount: '2' })])];
    expect(check(s, '2021-01-01', 'Forecast')).toBe(true); // doses on 2020-05-01 and 2020-07-01 are on/after 4 months
  });

  test('vaccine count by date honours start/end dates', () => {
    const s = [skip('Forecast', [condition({ conditionType: 'Vaccine Count by Date', startDate: '20200401', endDate: '20200601', doseType: 'Total', doseCountLogic: 'equal to', doseCount: '1' })])];
    expect(check(s, '2021-01-01', 'Forecast')).toBe(true);
  });

  test('during evaluation only doses before the current one are counted', () => {
    const s = [skip('Evaluation', [condition({ conditionType: 'Vaccine Count by Age', doseType: 'Total', doseCountLogic: 'greater than', doseCount: '1' })])];
    expect(check(s, '2020-05-01', 'Evaluation', 1)).toBe(false);
    expect(check(s, '2020-07-01', 'Evaluation', 2)).toBe(true);
  });

  test('interval condition measures from the latest earlier dose', () => {
    const s = [skip('Forecast', [condition({ conditionType: 'Interval', interval: '5 months - 4 days' })])];
    expect(check(s, '2020-11-26', 'Forecast')).toBe(false);
    expect(check(s, '2020-11-27', 'Forecast')).toBe(true);
  });

  test('completed series condition asks about the other series group', () => {
    const s = [skip('Both', [condition({ conditionType: 'Completed Series', seriesGroups: '2' })])];
    expect(check(s, '2021-01-01', 'Forecast', 3, [])).toBe(false);
    expect(check(s, '2021-01-01', 'Forecast', 3, ['2'])).toBe(true);
  });

  test('condition logic AND needs every condition; OR any', () => {
    const a = condition({ conditionType: 'Age', beginAge: '7 years' });
    const b = condition({ conditionType: 'Vaccine Count by Age', doseType: 'Total', doseCountLogic: 'greater than', doseCount: '0' });
    expect(check([skip('Forecast', [a, b], 'AND')], '2021-01-01', 'Forecast')).toBe(false);
    expect(check([skip('Forecast', [a, b], 'OR')], '2021-01-01', 'Forecast')).toBe(true);
  });

  test('set logic OR: any set met skips', () => {
    const block: CdsiConditionalSkip = {
      context: 'Forecast', setLogic: 'OR', set: [
        { setID: '1', setDescription: '', effectiveDate: '', cessationDate: '', conditionLogic: '', condition: [condition({ conditionType: 'Age', beginAge: '7 years' })] },
        { setID: '2', setDescription: '', effectiveDate: '', cessationDate: '', conditionLogic: '', condition: [condition({ conditionType: 'Age', beginAge: '1 year' })] },
      ],
    };
    expect(check([block], '2021-01-01', 'Forecast')).toBe(true);
    expect(check([{ ...block, setLogic: 'AND' }], '2021-01-01', 'Forecast')).toBe(false);
  });

  test('empty skip blocks never skip', () => {
    expect(check([{ context: null, setLogic: null, set: null }], '2030-01-01', 'Forecast')).toBe(false);
  });
});
