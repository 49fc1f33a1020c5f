import { parseDataDate, type DayNumber } from './cdsi-date';
import type { CdsiAntigen } from './supporting-data-types';

/**
 * CDSi "Evidence of immunity" by birth date (Logic Spec chapter 5): a patient born before the antigen's immunity
 * birth date is presumed immune. Rows restricted to a birth country apply only when that country is known and
 * matches; exclusions (e.g. health care personnel) need observations, which are not supplied, so they never apply.
 */
export function isImmuneByBirthDate(antigen: CdsiAntigen, dob: DayNumber, birthCountry?: string): boolean {
  for (const row of antigen.immunity?.dateOfBirth ?? []) {
    const limit = parseDataDate(row.immunityBirthDate);
    if (limit === undefined || dob >= limit) continue;
    const country = (row.birthCountry ?? '').trim();
    if (country !== '' && (!birthCountry || normalizeCountry(birthCountry) !== normalizeCountry(country))) continue;
    return true;
  }
  return false;
}

function normalizeCountry(c: string): string {
  const t = c.replace(/\./g, '').trim().toUpperCase();
  return t === 'USA' || t === 'UNITED STATES' ? 'US' : t;
}
