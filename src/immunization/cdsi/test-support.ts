/** Test-only builders for CDSi step unit tests (not used by the engine). */
import { parseDay } from './cdsi-date';
import type { PatientContext, SeriesState } from './evaluation-context';
import type { AntigenDose, EvaluatedDose, PatientSeries } from './engine-types';
import type { CdsiSeries, CdsiSeriesDose } from './supporting-data-types';
import type { SupportingData } from './supporting-data';

/** A series dose with every field "not specified" unless overridden. */
export function seriesDose(over: Partial<CdsiSeriesDose> = {}): CdsiSeriesDose {
  return {
    doseNumber: 'Dose 1', age: [], interval: [], allowableInterval: null, preferableVaccine: [], allowableVaccine: [],
    inadvertentVaccine: null, conditionalSkip: null, recurringDose: 'No', seasonalRecommendation: null, ...over,
  };
}

/** An age row. */
export function ageRow(absMinAge: string, minAge: string, maxAge = '') {
  return { absMinAge, minAge, earliestRecAge: minAge, latestRecAge: '', maxAge, effectiveDate: '', cessationDate: '' };
}

/** A preferable interval row measured from the previous dose unless overridden. */
export function intervalRow(absMinInt: string, minInt: string, over: Record<string, string> = {}) {
  return {
    fromPrevious: 'Y', fromTargetDose: '', fromMostRecent: '', fromRelevantObs: null, absMinInt, minInt, earliestRecInt: minInt,
    latestRecInt: '', intervalPriority: '', effectiveDate: '', cessationDate: '', ...over,
  };
}

/** A one-group standard series over `doses`. */
export function series(doses: CdsiSeriesDose[], name = 'Test series'): CdsiSeries {
  return {
    seriesName: name, targetDisease: 'Test', vaccineGroup: 'Test', seriesType: 'Standard', requiredGender: [''],
    selectSeries: { defaultSeries: 'Yes', productPath: 'No', seriesGroupName: 'Standard', seriesGroup: '1', seriesPriority: 'A', seriesPreference: '1', minAgeToStart: '', maxAgeToStart: '' },
    seriesDose: doses,
  };
}

/** An antigen dose on `date` with `cvx`. */
export function antigenDose(date: string, cvx: string, inputIndex = 0): AntigenDose {
  return { id: `d${inputIndex}`, date: parseDay(date)!, cvx, inputIndex };
}

/** Patient facts for a step test. */
export function patient(data: SupportingData, dob: string, assessment: string, history: AntigenDose[] = []): PatientContext {
  return { data, dob: parseDay(dob)!, gender: 'Female', assessment: parseDay(assessment)!, history };
}

/** A series state with the given already-evaluated doses. */
export function state(p: PatientContext, s: CdsiSeries, antigenDoses: AntigenDose[], evaluated: EvaluatedDose[] = [], completeGroups: string[] = []): SeriesState {
  const ps: PatientSeries = {
    antigen: 'Test', series: s, doses: evaluated, targetStatus: s.seriesDose.map(() => 'Not satisfied'), satisfiedBy: s.seriesDose.map(() => undefined),
    nextTarget: 0, status: 'Not complete',
  };
  evaluated.forEach((d) => {
    if (d.status === 'Valid' && d.targetDose !== undefined) { ps.targetStatus[d.targetDose] = 'Satisfied'; ps.satisfiedBy[d.targetDose] = d; ps.nextTarget = d.targetDose + 1; }
  });
  return { patient: p, antigenDoses, series: ps, isSeriesGroupComplete: (g) => completeGroups.includes(g) };
}
