import { addDurationText, type DayNumber } from './cdsi-date';
import type { PatientContext } from './evaluation-context';
import type { PatientSeries } from './engine-types';
import { normalizeCvx } from './supporting-data';

const validCount = (s: PatientSeries) => s.doses.filter((d) => d.status === 'Valid').length;
const preference = (s: PatientSeries) => Number(s.series.selectSeries.seriesPreference ?? 99) || 99;
const isDefault = (s: PatientSeries) => (s.series.selectSeries.defaultSeries ?? '').toLowerCase() === 'yes';
const isProduct = (s: PatientSeries) => (s.series.selectSeries.productPath ?? '').toLowerCase() === 'yes';

/** A product series in which every dose evaluated valid (CDSi "product patient series with all valid doses"). */
function productWithAllValid(s: PatientSeries): boolean {
  return isProduct(s) && s.doses.length > 0 && s.doses.every((d) => d.status === 'Valid' || d.status === 'Extraneous');
}

/** Doses still needed from the next target dose (after forecast skips) to the end of the series. */
const remaining = (s: PatientSeries) => s.targetStatus.slice(s.nextTarget).filter((t) => t === 'Not satisfied').length;

/** Estimated completion date: next forecast earliest date plus the absolute minimum intervals/ages of later doses. */
function finishDate(s: PatientSeries, dob: DayNumber): DayNumber {
  if (s.status === 'Complete') return Number.MIN_SAFE_INTEGER;
  if (!s.forecast) return Number.MAX_SAFE_INTEGER;
  let date = s.forecast.earliest;
  for (let t = s.nextTarget + 1; t < s.series.seriesDose.length; t++) {
    const target = s.series.seriesDose[t];
    const fromPrev = (target.interval ?? []).find((i) => (i.fromPrevious ?? '').toUpperCase() === 'Y');
    date = addDurationText(date, fromPrev?.absMinInt) ?? date;
    date = Math.max(date, addDurationText(dob, target.age?.[0]?.absMinAge) ?? date);
  }
  return date;
}

/** Can the series finish before the last target dose's maximum age? */
function completable(s: PatientSeries, dob: DayNumber): boolean {
  if (s.status === 'Complete') return true;
  if (s.status !== 'Not complete' || !s.forecast) return false;
  const maxAge = addDurationText(dob, s.series.seriesDose.at(-1)?.age?.[0]?.maxAge);
  return maxAge === undefined || finishDate(s, dob) < maxAge;
}

/** Is `date` within the series' [min age to start, max age to start)? */
function withinStartAges(s: PatientSeries, dob: DayNumber, date: DayNumber): boolean {
  const sel = s.series.selectSeries;
  const minStart = addDurationText(dob, sel.minAgeToStart);
  const maxStart = addDurationText(dob, sel.maxAgeToStart);
  return (minStart === undefined || date >= minStart) && (maxStart === undefined || date < maxStart);
}

/**
 * CDSi scorable series: a started series must have started (first valid dose) before its maximum age to start — its
 * minimum start age is already enforced by the first dose's own age rules; an unstarted one must be startable today.
 */
function isScorable(s: PatientSeries, patient: PatientContext): boolean {
  const first = s.doses.find((d) => d.status === 'Valid');
  if (!first) return withinStartAges(s, patient.dob, patient.assessment);
  const maxStart = addDurationText(patient.dob, s.series.selectSeries.maxAgeToStart);
  return maxStart === undefined || first.dose.date < maxStart;
}

/**
 * One scoring criterion: when exactly one series meets it that series gains `award`; every series not meeting it
 * loses `penalty` (CDSi chapter 8 scoring tables).
 */
function criterion(list: PatientSeries[], score: Map<PatientSeries, number>, meets: (s: PatientSeries) => boolean, award: number, penalty: number): void {
  const winners = list.filter(meets);
  for (const s of list) {
    if (winners.includes(s)) { if (winners.length === 1) score.set(s, (score.get(s) ?? 0) + award); }
    else score.set(s, (score.get(s) ?? 0) - penalty);
  }
}

function best<T>(list: PatientSeries[], key: (s: PatientSeries) => T, better: (a: T, b: T) => boolean): (s: PatientSeries) => boolean {
  let top: T | undefined;
  for (const s of list) { const k = key(s); if (top === undefined || better(k, top)) top = k; }
  return (s) => key(s) === top;
}

function pickTop(list: PatientSeries[], score: Map<PatientSeries, number>): PatientSeries {
  return [...list].sort((a, b) => (score.get(b) ?? 0) - (score.get(a) ?? 0) || preference(a) - preference(b))[0];
}

/**
 * CDSi "Identify one prioritized patient series" within a series group (Logic Spec chapter 8). Only scorable series
 * compete; none scorable → the default series; one complete (or one in-process) series wins outright; several complete
 * series are scored on most valid doses and product-with-all-valid-doses; several in-process series on product
 * (±2), completable (+3/−3), most valid doses (±2), closest to completion (±2) and can finish earliest (+1/−1);
 * with no valid doses the default series is taken. Ties go to the lowest series preference.
 */
export function prioritizedSeries(group: PatientSeries[], patient: PatientContext): PatientSeries {
  if (group.length === 1) return group[0];
  const byPreference = [...group].sort((a, b) => preference(a) - preference(b));
  const fallback = byPreference.find(isDefault) ?? byPreference[0];
  const scorable = group.filter((s) => isScorable(s, patient));
  if (scorable.length === 0) return fallback;
  if (scorable.length === 1) return scorable[0];
  const score = new Map<PatientSeries, number>();
  const complete = scorable.filter((s) => s.status === 'Complete' || s.status === 'Immune');
  if (complete.length === 1) return complete[0];
  if (complete.length > 1) {
    criterion(complete, score, best(complete, validCount, (a, b) => a > b), 1, 1);
    criterion(complete, score, productWithAllValid, 1, 1);
    return pickTop(complete, score);
  }
  const inProcess = scorable.filter((s) => validCount(s) > 0);
  if (inProcess.length === 1) return inProcess[0];
  if (inProcess.length === 0) return group.find(isDefault) ?? pickTop(scorable, score);
  criterion(inProcess, score, productWithAllValid, 2, 2);
  criterion(inProcess, score, (s) => completable(s, patient.dob), 3, 3);
  criterion(inProcess, score, best(inProcess, validCount, (a, b) => a > b), 2, 2);
  criterion(inProcess, score, best(inProcess, remaining, (a, b) => a < b), 2, 2);
  criterion(inProcess, score, best(inProcess, (s) => finishDate(s, patient.dob), (a, b) => a < b), 1, 1);
  return pickTop(inProcess, score);
}

/**
 * CDSi "Select best patient series" across series groups: one prioritized series per group, then the group whose
 * series has doses or can start; a series that cannot start (assessment age outside its start ages) and has no
 * valid doses only wins when nothing else is relevant.
 */
export function selectBestSeries(all: PatientSeries[], patient: PatientContext): PatientSeries {
  const groups = new Map<string, PatientSeries[]>();
  for (const s of all) {
    const g = s.series.selectSeries.seriesGroup ?? '1';
    groups.set(g, [...(groups.get(g) ?? []), s]);
  }
  const prioritized = [...groups.values()].map((g) => prioritizedSeries(g, patient));
  if (prioritized.length === 1) return prioritized[0];
  const rank = (s: PatientSeries): number => {
    const sel = s.series.selectSeries;
    const minStart = addDurationText(patient.dob, sel.minAgeToStart);
    const tooYoung = minStart !== undefined && patient.assessment < minStart && validCount(s) === 0;
    if (tooYoung) return 4;
    if (s.status === 'Not complete') return 0;
    if (s.status === 'Complete' || s.status === 'Immune') return 1;
    return 2;
  };
  return [...prioritized].sort((a, b) => rank(a) - rank(b) || (Number(a.series.selectSeries.seriesGroup) || 0) - (Number(b.series.selectSeries.seriesGroup) || 0))[0];
}
