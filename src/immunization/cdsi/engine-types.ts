import type { DayNumber } from './cdsi-date';
import type { CdsiSeries } from './supporting-data-types';

/** One administered dose as given to the engine. */
export interface DoseInput {
  id: string;
  /** Administration date, 'YYYY-MM-DD'. */
  date: string;
  cvx: string;
  mvx?: string;
}

/** Input of one evaluation/forecast run. */
export interface EvaluateInput {
  /** 'YYYY-MM-DD'. */
  birthDate: string;
  /** FHIR administrative gender or CDSi 'M'/'F'. */
  gender?: string;
  /** 'YYYY-MM-DD'. */
  assessmentDate: string;
  doses: DoseInput[];
  /** Restrict the run to these vaccine groups (CDSi names, e.g. "MMR"); all groups when absent. */
  vaccineGroups?: string[];
}

/** CDSi evaluation status (Table 3-1). */
export type EvaluationStatus = 'Valid' | 'Not Valid' | 'Extraneous' | 'Sub standard';
/** CDSi target dose status (Table 3-2). */
export type TargetDoseStatus = 'Not satisfied' | 'Satisfied' | 'Skipped';
/** CDSi patient series status (Table 3-3). */
export type SeriesStatus = 'Not complete' | 'Complete' | 'Immune' | 'Aged out' | 'Contraindicated' | 'Not recommended';

/** An administered dose mapped to one antigen (CDSi "antigen administered record"). */
export interface AntigenDose {
  id: string;
  date: DayNumber;
  cvx: string;
  mvx?: string;
  /** Index of the dose in the input list. */
  inputIndex: number;
}

/** Evaluation of one antigen dose within one patient series. */
export interface EvaluatedDose {
  dose: AntigenDose;
  status: EvaluationStatus;
  /** CDSi evaluation reason, e.g. "Age: Too Young"; undefined when valid. */
  reason?: string;
  /** 0-based target dose the dose was evaluated against (satisfied when valid). */
  targetDose?: number;
}

/** Forecast of the next target dose of a patient series. */
export interface SeriesForecast {
  /** 1-based dose number of the next target dose. */
  doseNumber: number;
  earliest: DayNumber;
  recommended: DayNumber;
  pastDue?: DayNumber;
  latest?: DayNumber;
  /** CVX codes the data prefers for the next dose. */
  vaccineTypes: string[];
}

/** A patient series after evaluation and forecast. */
export interface PatientSeries {
  antigen: string;
  series: CdsiSeries;
  doses: EvaluatedDose[];
  targetStatus: TargetDoseStatus[];
  /** Dose satisfying each target dose. */
  satisfiedBy: (EvaluatedDose | undefined)[];
  /** 0-based index of the next target dose (== seriesDose.length when complete). */
  nextTarget: number;
  status: SeriesStatus;
  forecast?: SeriesForecast;
  /** Reason text accompanying a non-forecast status (e.g. aged out). */
  statusReason?: string;
}

/** Per-antigen result. */
export interface AntigenResult {
  antigen: string;
  best: PatientSeries;
  /** All relevant patient series considered. */
  candidates: PatientSeries[];
}

/** Per-dose evaluation summarised for a vaccine group (one row per antigen). */
export interface DoseEvaluationResult {
  doseId: string;
  date: string;
  cvx: string;
  antigen: string;
  status: EvaluationStatus;
  reason?: string;
  /** 1-based dose number within the best series when the dose is valid. */
  doseNumber?: number;
  seriesName: string;
}

/** The forecast for a vaccine group, in 'YYYY-MM-DD'. */
export interface GroupForecast {
  doseNumber: number;
  earliest: string;
  recommended: string;
  pastDue?: string;
  latest?: string;
  vaccineTypes: string[];
}

/** Result per vaccine group — what the tracker and the FHIR mapping consume. */
export interface VaccineGroupResult {
  vaccineGroup: string;
  status: SeriesStatus;
  /** Number of doses valid for every antigen of the group. */
  validDoseCount: number;
  forecast?: GroupForecast;
  evaluations: DoseEvaluationResult[];
  antigens: AntigenResult[];
}

/** Whole result of an engine run. */
export interface EvaluateResult {
  assessmentDate: string;
  vaccineGroups: VaccineGroupResult[];
}
