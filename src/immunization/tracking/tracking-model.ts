/** The three tracked states of a person for one vaccine group (docs/IMMUNIZATION-TRACKING.md). */
export type TrackingState = 'fully-vaccinated' | 'partially-vaccinated' | 'not-vaccinated';

/** Every state, in report order. */
export const TRACKING_STATES: readonly TrackingState[] = ['fully-vaccinated', 'partially-vaccinated', 'not-vaccinated'];

/** Vaccine groups with maintained counts unless configured otherwise (CDSi group names). */
export const DEFAULT_TRACKED_GROUPS: readonly string[] = ['COVID-19'];

/** Age bands (lower bound in whole years, label), as in CDC COVID-19 vaccination reporting. */
export const AGE_BANDS: ReadonlyArray<{ from: number; label: string }> = [
  { from: 0, label: '0-4' },
  { from: 5, label: '5-11' },
  { from: 12, label: '12-17' },
  { from: 18, label: '18-49' },
  { from: 50, label: '50-64' },
  { from: 65, label: '65+' },
];

/** Roll-up value of the clinic and age-band dimensions ("any"). */
export const ALL = '*';

/** Recent count rows are spread over this many shards so concurrent writers rarely wait on one row (see hotShardChooser). */
export const COUNT_SHARDS = 4;

/** One administered, completed dose as tracked (an `imm_dose` row). */
export interface TrackedDose {
  immunizationId: string;
  patientId: string;
  /** 'YYYY-MM-DD'. */
  date: string;
  /** Normalised CVX code. */
  cvx: string;
  /** Clinic (Organization id) that administered it, '' when unknown. */
  clinic: string;
}

/** A stretch of a person's life with constant (state, clinic, age band) for one vaccine group, from `from` until the next segment. */
export interface StatusSegment {
  /** First day, 'YYYY-MM-DD'. */
  from: string;
  state: TrackingState;
  clinic: string;
  band: string;
}

/** The age band label for someone born on `birthDate` on day `day` (both 'YYYY-MM-DD'). */
export function ageBandAt(birthDate: string, day: string): string {
  const age = wholeYears(birthDate, day);
  let label = AGE_BANDS[0].label;
  for (const b of AGE_BANDS) if (age >= b.from) label = b.label;
  return label;
}

/** Completed years between two 'YYYY-MM-DD' days. */
export function wholeYears(from: string, to: string): number {
  const years = Number(to.slice(0, 4)) - Number(from.slice(0, 4));
  return to.slice(5) >= from.slice(5) ? years : years - 1;
}

/** The day someone born on `birthDate` turns `years` old (29 February → 1 March in common years). */
export function birthdayAt(birthDate: string, years: number): string {
  const d = new Date(`${birthDate}T00:00:00Z`);
  const out = new Date(Date.UTC(d.getUTCFullYear() + years, d.getUTCMonth(), d.getUTCDate()));
  return out.toISOString().slice(0, 10);
}

/** True for a valid calendar day 'YYYY-MM-DD'. */
export function isDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}
