import { addDuration, addDurationText, parseDataDate, type DayNumber } from './cdsi-date';
import { shouldSkipTargetDose } from './conditional-skip';
import { applicableAge } from './evaluate-age';
import { applicableIntervals, intervalReferenceDate } from './evaluate-interval';
import { latestConflictEnd } from './evaluate-live-virus';
import type { SeriesState } from './evaluation-context';
import type { AntigenDose, SeriesForecast } from './engine-types';
import { normalizeCvx } from './supporting-data';
import type { CdsiSeriesDose } from './supporting-data-types';

const MINUS_ONE_DAY = [{ amount: -1, unit: 'day' as const }];
const max = (values: (DayNumber | undefined)[]): DayNumber | undefined => {
  let out: DayNumber | undefined;
  for (const v of values) if (v !== undefined && (out === undefined || v > out)) out = v;
  return out;
};

/** CVX codes a forecast of `target` would use (forecast vaccine types, else every preferable vaccine). */
export function forecastVaccineTypes(target: CdsiSeriesDose): string[] {
  const prefs = target.preferableVaccine ?? [];
  const flagged = prefs.filter((p) => (p.forecastVaccineType ?? '').toUpperCase() === 'Y');
  return [...new Set((flagged.length > 0 ? flagged : prefs).map((p) => p.cvx).filter((c): c is string => !!c).map(normalizeCvx))];
}

/**
 * CDSi "Determine forecast need" + "Generate forecast dates and recommended vaccines" (Logic Spec chapter 7) for one
 * patient series: applies forecast-context conditional skips, then computes earliest (minimum age, minimum intervals,
 * live virus conflicts, season start), recommended (earliest recommended age, else earliest recommended interval;
 * never before earliest), past due (latest recommended age, else latest recommended interval, − 1 day) and latest
 * (maximum age − 1 day) dates. The dose number counts valid doses (skipped target doses are not numbered).
 * Sets the series status to Complete or Aged out when no dose is needed.
 */
export function forecastPatientSeries(state: SeriesState): void {
  const ps = state.series;
  const { patient } = state;
  const targets = ps.series.seriesDose;
  if (ps.status !== 'Not complete') return;
  for (; ps.nextTarget < targets.length; ps.nextTarget++) {
    const target = targets[ps.nextTarget];
    const age = applicableAge(target, patient.assessment);
    const maxAge = addDurationText(patient.dob, age?.maxAge);
    const dates = targetDoseDates(state, target);
    // "Dose is not required ... at the earliest forecasted date": skips are judged on the later of today and the earliest date.
    const refDate = Math.max(patient.assessment, dates.earliest);
    if (shouldSkipTargetDose(target, { state, refDate, evaluatedCount: ps.doses.length, context: 'Forecast' })) {
      ps.targetStatus[ps.nextTarget] = 'Skipped';
      continue;
    }
    if (maxAge !== undefined && patient.assessment >= maxAge) {
      ps.status = 'Aged out';
      ps.statusReason = 'Patient has exceeded the maximum age';
      return;
    }
    if (dates.latest !== undefined && dates.earliest > dates.latest) {
      ps.status = 'Aged out';
      ps.statusReason = 'Patient is unable to finish the series before the maximum age';
      return;
    }
    ps.forecast = { doseNumber: ps.doses.filter((d) => d.status === 'Valid').length + 1, ...dates };
    return;
  }
  ps.status = 'Complete';
}

/**
 * Forecast dates of one target dose given the doses evaluated so far (Logic Spec 7.5, FORECASTDTCAN-1 and
 * FORECASTDT-1..6): earliest = latest of minimum age, minimum intervals, live virus conflict end, season start,
 * latest inadvertent administration and most recent dose; recommended = earliest recommended age, else the latest
 * earliest-recommended interval, never before earliest; past due = latest recommended age (else interval) − 1 day,
 * never before earliest; latest = maximum age − 1 day.
 */
export function targetDoseDates(state: SeriesState, target: CdsiSeriesDose): Omit<SeriesForecast, 'doseNumber'> {
  const ps = state.series;
  const { patient } = state;
  const dob = patient.dob;
  const age = applicableAge(target, patient.assessment);
  const maxAge = addDurationText(dob, age?.maxAge);
  const minIntervals: (DayNumber | undefined)[] = [];
  const recIntervals: (DayNumber | undefined)[] = [];
  const pastDueIntervals: (DayNumber | undefined)[] = [];
  for (const i of applicableIntervals(target, patient.assessment)) {
    const ref = intervalReferenceDate(i, state, ps.doses, patient.assessment + 1);
    if (ref === undefined) continue;
    minIntervals.push(addDurationText(ref, i.minInt));
    recIntervals.push(addDurationText(ref, i.earliestRecInt));
    const late = addDurationText(ref, i.latestRecInt);
    pastDueIntervals.push(late === undefined ? undefined : addDuration(late, MINUS_ONE_DAY));
  }
  const vaccineTypes = forecastVaccineTypes(target);
  const statusOf = new Map(ps.doses.map((d) => [d.dose, d.status]));
  const isValid = (d: AntigenDose) => statusOf.get(d) !== 'Not Valid';
  const conflictEnd = latestConflictEnd(patient.data, patient.history, vaccineTypes, isValid, patient.assessment);
  const seasonStart = parseDataDate(target.seasonalRecommendation?.startDate);

  const minAgeDate = addDurationText(dob, age?.minAge) ?? addDurationText(dob, age?.absMinAge) ?? dob;
  // Candidate earliest date also waits for the latest inadvertent administration and the most recent dose given.
  const lastInadvertent = ps.doses.filter((d) => d.reason === 'Inadvertent Vaccine').at(-1)?.dose.date;
  const mostRecent = ps.doses.filter((d) => d.dose.date <= patient.assessment).at(-1)?.dose.date;
  const earliest = max([minAgeDate, ...minIntervals, conflictEnd, seasonStart, lastInadvertent, mostRecent]) as DayNumber;
  const recAge = addDurationText(dob, age?.earliestRecAge);
  const unadjustedRecommended = recAge ?? max(recIntervals);
  const latestRecAge = addDurationText(dob, age?.latestRecAge);
  const pastDue = latestRecAge !== undefined ? addDuration(latestRecAge, MINUS_ONE_DAY) : max(pastDueIntervals);
  const latest = maxAge === undefined ? undefined : addDuration(maxAge, MINUS_ONE_DAY);
  const recommended = unadjustedRecommended === undefined || unadjustedRecommended < earliest ? earliest : unadjustedRecommended;
  return {
    earliest,
    recommended,
    pastDue: pastDue === undefined ? undefined : Math.max(pastDue, earliest),
    latest,
    vaccineTypes,
  };
}
