import { describe, expect, test } from 'vitest';
import { formatDay } from './cdsi-date';
import type { EvaluatedDose } from './engine-types';
import { forecastPatientSeries } from './forecast-series';
import { loadSupportingData } from './supporting-data';
import type { CdsiSeriesDose } from './supporting-data-types';
import { antigenDose, intervalRow, patient, series, seriesDose, state } from './test-support';

const data = loadSupportingData();
const age = (over: Record<string, string>) => [{ absMinAge: '', minAge: '', earliestRecAge: '', latestRecAge: '', maxAge: '', effectiveDate: '', cessationDate: '', ...over }];
const pref = [{ vaccineType: 'HepB', cvx: '08', beginAge: '', endAge: '', forecastVaccineType: 'N' }];

function forecast(doses: CdsiSeriesDose[], evaluated: EvaluatedDose[], assessment = '2020-06-01', dob = '2020-01-01') {
  const p = patient(data, dob, assessment, evaluated.map((e) => e.dose));
  const st = state(p, series(doses), evaluated.map((e) => e.dose), evaluated);
  forecastPatientSeries(st);
  const f = st.series.forecast;
  return {
    status: st.series.status,
    dates: f && { dose: f.doseNumber, earliest: formatDay(f.earliest), recommended: formatDay(f.recommended), pastDue: f.pastDue && formatDay(f.pastDue), latest: f.latest && formatDay(f.latest) },
  };
}

describe('forecast dates (CDSi chapter 7)', () => {
  test('earliest = minimum age; recommended = earliest recommended age; past due = latest recommended age - 1 day; latest = max age - 1 day', () => {
    const d1 = seriesDose({ age: age({ absMinAge: '6 weeks - 4 days', minAge: '6 weeks', earliestRecAge: '2 months', latestRecAge: '3 months + 4 weeks', maxAge: '15 weeks' }), preferableVaccine: pref });
    expect(forecast([d1], [], '2020-01-10')).toEqual({
      status: 'Not complete',
      dates: { dose: 1, earliest: '2020-02-12', recommended: '2020-03-01', pastDue: '2020-04-28', latest: '2020-04-14' },
    });
  });

  test('the later of minimum age and minimum interval; recommended falls back to the interval and never precedes earliest', () => {
    const d2 = seriesDose({ age: age({ minAge: '10 weeks' }), interval: [intervalRow('4 weeks - 4 days', '4 weeks', { earliestRecInt: '8 weeks', latestRecInt: '13 weeks' })] });
    const given: EvaluatedDose = { dose: antigenDose('2020-02-20', '08'), status: 'Valid', targetDose: 0 };
    expect(forecast([seriesDose(), d2], [given]).dates).toEqual({ dose: 2, earliest: '2020-03-19', recommended: '2020-04-16', pastDue: '2020-05-20', latest: undefined });
  });

  test('a recommended age earlier than the earliest date is moved to the earliest date', () => {
    const d2 = seriesDose({ age: age({ earliestRecAge: '1 month' }), interval: [intervalRow('8 weeks', '8 weeks')] });
    const given: EvaluatedDose = { dose: antigenDose('2020-03-01', '08'), status: 'Valid', targetDose: 0 };
    expect(forecast([seriesDose(), d2], [given]).dates).toMatchObject({ earliest: '2020-04-26', recommended: '2020-04-26' });
  });

  test('past the maximum age the series is aged out, with no forecast', () => {
    const d1 = seriesDose({ age: age({ minAge: '6 weeks', maxAge: '15 weeks' }) });
    expect(forecast([d1], [], '2020-06-01')).toEqual({ status: 'Aged out', dates: undefined });
  });

  test('all target doses satisfied → complete', () => {
    const given: EvaluatedDose = { dose: antigenDose('2020-03-01', '08'), status: 'Valid', targetDose: 0 };
    expect(forecast([seriesDose()], [given]).status).toBe('Complete');
  });
});
