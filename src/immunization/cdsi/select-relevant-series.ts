import type { CdsiSeries } from './supporting-data-types';

/**
 * CDSi "Select relevant patient series" (Logic Spec chapter 5): standard series whose required gender (if any)
 * matches the patient. Risk series need patient observations (indications), which this engine does not take yet.
 */
export function selectRelevantSeries(series: CdsiSeries[], gender: string): CdsiSeries[] {
  return series.filter((s) => {
    if (s.seriesType !== 'Standard') return false;
    const required = (s.requiredGender ?? []).filter((g): g is string => !!g && g.trim() !== '');
    return required.length === 0 || required.some((g) => g.toLowerCase() === gender.toLowerCase());
  });
}

/** Maps FHIR administrative gender / CDSi 'M','F' to the spelling the CDSi data uses. */
export function cdsiGender(gender: string | undefined): string {
  switch ((gender ?? '').toLowerCase()) {
    case 'male': case 'm': return 'Male';
    case 'female': case 'f': return 'Female';
    case 'other': case 'transgender': case 't': return 'Transgender';
    default: return 'Unknown';
  }
}
