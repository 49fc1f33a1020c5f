import { addDurationText, parseDataDate, type DayNumber } from './cdsi-date';
import { previousCountableDose, rowApplies, type SeriesState } from './evaluation-context';
import { previousNotValidForAgeOrInterval } from './evaluate-age';
import type { AntigenDose, EvaluatedDose } from './engine-types';
import { normalizeCvx } from './supporting-data';
import type { CdsiAllowableInterval, CdsiInterval, CdsiSeriesDose } from './supporting-data-types';

const yes = (t: string | null | undefined) => (t ?? '').trim().toUpperCase() === 'Y';

/**
 * The reference date an interval is measured from (Logic Spec 6.5): the immediate previous dose administered,
 * the dose that satisfied a given target dose, or the most recent dose of listed vaccine types.
 * Undefined when the reference dose does not exist (the interval then does not apply).
 */
export function intervalReferenceDate(
  interval: Pick<CdsiInterval, 'fromPrevious' | 'fromTargetDose'> & { fromMostRecent?: string | null },
  state: SeriesState,
  prior: EvaluatedDose[],
  before: DayNumber,
): DayNumber | undefined {
  if (yes(interval.fromPrevious)) return previousCountableDose(prior)?.dose.date;
  const target = (interval.fromTargetDose ?? '').trim();
  if (target !== '') {
    const n = Number(target) - 1;
    return state.series.satisfiedBy[n]?.dose.date;
  }
  const recent = (interval.fromMostRecent ?? '').trim();
  if (recent !== '') {
    const types = new Set(recent.split(/[;,]/).map((c) => c.trim()).filter(Boolean).map(normalizeCvx));
    let found: AntigenDose | undefined;
    for (const d of state.patient.history) if (d.date < before && types.has(d.cvx)) found = d;
    return found?.date;
  }
  return undefined;
}

/** The preferable intervals of a target dose that apply on `date`, honouring the "override" priority. */
export function applicableIntervals(targetDose: CdsiSeriesDose, date: DayNumber): CdsiInterval[] {
  return (targetDose.interval ?? []).filter((i) => (i.absMinInt || i.minInt || i.earliestRecInt) && rowApplies(i, date, parseDataDate));
}

/**
 * CDSi "Evaluate preferable interval" (Logic Spec 6.5): before absolute minimum interval → "Interval: too short";
 * between absolute minimum and minimum interval the grace period applies unless the previous dose was not valid for
 * age or interval. Intervals marked "override" replace the others when their reference dose exists.
 */
export function evaluatePreferableInterval(targetDose: CdsiSeriesDose, state: SeriesState, prior: EvaluatedDose[], date: DayNumber): string | undefined {
  const withRef = applicableIntervals(targetDose, date)
    .map((i) => ({ i, ref: intervalReferenceDate(i, state, prior, date) }))
    .filter((x): x is { i: CdsiInterval; ref: DayNumber } => x.ref !== undefined);
  const overrides = withRef.filter((x) => (x.i.intervalPriority ?? '').toLowerCase() === 'override' && !yes(x.i.fromPrevious));
  const checks = overrides.length > 0 ? overrides : withRef;
  const previous = previousCountableDose(prior);
  for (const { i, ref } of checks) {
    const absMin = addDurationText(ref, i.absMinInt);
    const min = addDurationText(ref, i.minInt);
    if (absMin !== undefined && date < absMin) return 'Interval: too short';
    if (min !== undefined && date < min && previousNotValidForAgeOrInterval(previous)) return 'Interval: too short';
  }
  return undefined;
}

/** CDSi "Evaluate allowable interval" (Logic Spec 6.6): true when every applicable allowable interval is met. */
export function allowableIntervalMet(targetDose: CdsiSeriesDose, state: SeriesState, prior: EvaluatedDose[], date: DayNumber): boolean {
  const rows = (targetDose.allowableInterval ?? []).filter((r): r is CdsiAllowableInterval => !!r && !!r.absMinInt && rowApplies(r, date, parseDataDate));
  if (rows.length === 0) return false;
  return rows.every((r) => {
    const ref = intervalReferenceDate(r, state, prior, date);
    if (ref === undefined) return true;
    const at = addDurationText(ref, r.absMinInt);
    return at === undefined || date >= at;
  });
}
