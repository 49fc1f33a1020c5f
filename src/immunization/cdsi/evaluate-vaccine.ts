import { addDurationText, type DayNumber } from './cdsi-date';
import { normalizeCvx } from './supporting-data';
import type { CdsiSeriesDose } from './supporting-data-types';

/** Whether a dose's vaccine was preferable, allowable, or neither for a target dose. */
export type VaccineFit = 'preferable' | 'allowable' | 'none';

function inAgeRange(dob: DayNumber, date: DayNumber, beginAge: string | null | undefined, endAge: string | null | undefined): boolean {
  const begin = addDurationText(dob, beginAge);
  const end = addDurationText(dob, endAge);
  return (begin === undefined || date >= begin) && (end === undefined || date < end);
}

/**
 * CDSi "Evaluate preferable vaccine" then "Evaluate allowable vaccine" (Logic Spec 6.8-6.9): the CVX must be listed
 * for the target dose and the patient's age at administration must lie in [begin age, end age).
 */
export function evaluateVaccine(targetDose: CdsiSeriesDose, dob: DayNumber, date: DayNumber, doseCvx: string): VaccineFit {
  const cvx = normalizeCvx(doseCvx);
  for (const v of targetDose.preferableVaccine ?? []) {
    if (v.cvx && normalizeCvx(v.cvx) === cvx && inAgeRange(dob, date, v.beginAge, v.endAge)) return 'preferable';
  }
  for (const v of targetDose.allowableVaccine ?? []) {
    if (v.cvx && normalizeCvx(v.cvx) === cvx && inAgeRange(dob, date, v.beginAge, v.endAge)) return 'allowable';
  }
  return 'none';
}

/** CDSi "Evaluate for inadvertent vaccine" (Logic Spec 6.3): the CVX is listed as inadvertent for the target dose. */
export function isInadvertent(targetDose: CdsiSeriesDose, doseCvx: string): boolean {
  const cvx = normalizeCvx(doseCvx);
  return (targetDose.inadvertentVaccine ?? []).some((v) => !!v.cvx && normalizeCvx(v.cvx) === cvx);
}
