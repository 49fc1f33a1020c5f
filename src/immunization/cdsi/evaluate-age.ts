import { addDurationText, parseDataDate, type DayNumber } from './cdsi-date';
import { rowApplies } from './evaluation-context';
import type { EvaluatedDose } from './engine-types';
import type { CdsiAge, CdsiSeriesDose } from './supporting-data-types';

/** The age row of a target dose that applies on `date` (rows carry effective/cessation dates). */
export function applicableAge(targetDose: CdsiSeriesDose, date: DayNumber): CdsiAge | undefined {
  return (targetDose.age ?? []).find((a) => rowApplies(a, date, parseDataDate));
}

/** True when the previous evaluated dose was not valid because of age or interval (no grace period then). */
export function previousNotValidForAgeOrInterval(previous: EvaluatedDose | undefined): boolean {
  return !!previous && previous.status === 'Not Valid' && !!previous.reason && /^(Age|Interval)/.test(previous.reason);
}

/**
 * CDSi "Evaluate age" (Logic Spec 6.4): before the absolute minimum age → "Age: Too Young"; between absolute
 * minimum and minimum age the 4-day grace period applies unless the previous dose was not valid for age or interval;
 * on/after the maximum age → "Age: Too Old". Returns the reason, or undefined when the age is valid.
 */
export function evaluateAge(targetDose: CdsiSeriesDose, dob: DayNumber, date: DayNumber, previous: EvaluatedDose | undefined): string | undefined {
  // Only a previous *target dose* attempt can withdraw the grace period: the first target dose always gets it.
  const age = applicableAge(targetDose, date);
  if (!age) return undefined;
  const absMin = addDurationText(dob, age.absMinAge);
  const min = addDurationText(dob, age.minAge);
  const max = addDurationText(dob, age.maxAge);
  if (absMin !== undefined && date < absMin) return 'Age: Too Young';
  if (min !== undefined && date < min && previousNotValidForAgeOrInterval(previous)) return 'Age: Too Young';
  if (max !== undefined && date >= max) return 'Age: Too Old';
  return undefined;
}
