import type { DayNumber } from './cdsi-date';
import type { AntigenDose, EvaluatedDose, PatientSeries } from './engine-types';
import type { SupportingData } from './supporting-data';

/** Patient-level facts shared by every step (CDSi "gather necessary data"). */
export interface PatientContext {
  data: SupportingData;
  dob: DayNumber;
  /** 'Male' | 'Female' | 'Unknown' | 'Transgender' as the CDSi data spells it. */
  gender: string;
  assessment: DayNumber;
  /** The whole immunization history (every antigen), sorted by date. */
  history: AntigenDose[];
}

/** State of one patient series while it is being evaluated. */
export interface SeriesState {
  patient: PatientContext;
  antigenDoses: AntigenDose[];
  series: PatientSeries;
  /** Is any patient series of the given series group (same antigen) complete? Used by "Completed Series" skips. */
  isSeriesGroupComplete: (seriesGroup: string) => boolean;
}

/**
 * The CDSi "immediate previous dose administered": the latest earlier evaluated dose that was neither an
 * inadvertent administration nor sub-standard (those never count as a reference dose).
 */
export function previousCountableDose(prior: EvaluatedDose[]): EvaluatedDose | undefined {
  for (let i = prior.length - 1; i >= 0; i--) {
    const d = prior[i];
    if (d.reason === 'Inadvertent Vaccine' || d.status === 'Sub standard') continue;
    return d;
  }
  return undefined;
}

/** True when a data row with effective/cessation dates applies on `date` (dates are 'YYYYMMDD' or empty). */
export function rowApplies(row: { effectiveDate?: string | null; cessationDate?: string | null }, date: DayNumber, parse: (t: string) => DayNumber | undefined): boolean {
  const eff = row.effectiveDate ? parse(row.effectiveDate) : undefined;
  const ces = row.cessationDate ? parse(row.cessationDate) : undefined;
  if (eff !== undefined && date < eff) return false;
  if (ces !== undefined && date >= ces) return false;
  return true;
}
