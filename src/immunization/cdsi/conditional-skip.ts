import { addDurationText, parseDataDate, type DayNumber } from './cdsi-date';
import { rowApplies, type SeriesState } from './evaluation-context';
import { normalizeCvx } from './supporting-data';
import type { CdsiSeriesDose, CdsiSkipCondition, CdsiSkipSet } from './supporting-data-types';

/** Where a conditional skip is being checked: while evaluating a dose, or when forecasting. */
export type SkipContext = 'Evaluation' | 'Forecast';

/** Facts a skip condition is judged against. */
export interface SkipInput {
  state: SeriesState;
  /** Date of the dose being evaluated, or the assessment date when forecasting. */
  refDate: DayNumber;
  /** Number of series doses already evaluated (doses counted are those before this position). */
  evaluatedCount: number;
  context: SkipContext;
}

const cvxListCache = new Map<string, Set<string>>();
function cvxList(text: string | null | undefined): Set<string> {
  const key = text ?? '';
  let set = cvxListCache.get(key);
  if (!set) {
    set = new Set(key.split(/[;,]/).map((c) => c.trim()).filter(Boolean).map(normalizeCvx));
    cvxListCache.set(key, set);
  }
  return set;
}

function compareCount(count: number, logic: string, target: number): boolean {
  switch (logic.trim().toLowerCase()) {
    case 'greater than': return count > target;
    case 'less than': return count < target;
    case 'equal to': return count === target;
    default: return false;
  }
}

/** Evaluates one condition of a conditional skip set (Logic Spec, "Evaluate conditional skip", condition types). */
export function conditionMet(c: CdsiSkipCondition, input: SkipInput): boolean {
  const { state, refDate } = input;
  const dob = state.patient.dob;
  const type = (c.conditionType ?? '').trim().toLowerCase();
  const all = state.antigenDoses;
  const limit = input.context === 'Evaluation' ? Math.min(input.evaluatedCount, all.length) : all.length;
  switch (type) {
    case 'age': {
      const begin = addDurationText(dob, c.beginAge);
      const end = addDurationText(dob, c.endAge);
      return (begin === undefined || refDate >= begin) && (end === undefined || refDate < end);
    }
    case 'interval': {
      let previous: (typeof all)[number] | undefined;
      for (let i = 0; i < limit; i++) if (all[i].date <= refDate) previous = all[i];
      if (!previous) return false;
      const at = addDurationText(previous.date, c.interval);
      return at !== undefined && refDate >= at;
    }
    case 'vaccine count by age':
    case 'vaccine count by date': {
      const byAge = type === 'vaccine count by age';
      const begin = byAge ? addDurationText(dob, c.beginAge) : parseDataDate(c.startDate);
      const end = byAge ? addDurationText(dob, c.endAge) : parseDataDate(c.endDate);
      const types = cvxList(c.vaccineTypes);
      const validOnly = (c.doseType ?? '').trim().toLowerCase() === 'valid';
      const evaluated = state.series.doses;
      let count = 0;
      for (let i = 0; i < limit; i++) {
        const d = all[i];
        if (types.size > 0 && !types.has(d.cvx)) continue;
        if (begin !== undefined && d.date < begin) continue;
        if (end !== undefined && d.date >= end) continue;
        if (input.context === 'Forecast' && d.date > refDate) continue;
        if (validOnly && !(i < evaluated.length && evaluated[i].dose === d && evaluated[i].status === 'Valid')) continue;
        count++;
      }
      return compareCount(count, c.doseCountLogic ?? '', Number(c.doseCount ?? 0));
    }
    case 'completed series': {
      const groups = (c.seriesGroups ?? '').split(/[;,]/).map((g) => g.trim()).filter(Boolean);
      return groups.some((g) => state.isSeriesGroupComplete(g));
    }
    default:
      return false;
  }
}

function setMet(set: CdsiSkipSet, input: SkipInput): boolean {
  const conditions = set.condition ?? [];
  if (conditions.length === 0) return false;
  const or = (set.conditionLogic ?? '').trim().toUpperCase() === 'OR';
  return or ? conditions.some((c) => conditionMet(c, input)) : conditions.every((c) => conditionMet(c, input));
}

/**
 * CDSi "Evaluate conditional skip" / "Determine forecast need — conditional skip": true when the target dose's
 * skip sets for this context are met (set logic AND/OR; each set's condition logic AND/OR).
 */
export function shouldSkipTargetDose(targetDose: CdsiSeriesDose, input: SkipInput): boolean {
  for (const skip of targetDose.conditionalSkip ?? []) {
    if (!skip.set || skip.set.length === 0) continue;
    const ctx = (skip.context ?? '').trim();
    if (ctx !== input.context && ctx !== 'Both') continue;
    const sets = skip.set.filter((s) => rowApplies(s, input.refDate, parseDataDate));
    if (sets.length === 0) continue;
    const and = (skip.setLogic ?? '').trim().toUpperCase() === 'AND';
    const met = and ? sets.every((s) => setMet(s, input)) : sets.some((s) => setMet(s, input));
    if (met) return true;
  }
  return false;
}
