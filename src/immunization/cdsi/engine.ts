import { unprocessable, issue } from '../../shared/fhir-error';
import { parseDay } from './cdsi-date';
import { evaluatePatientSeries } from './evaluate-series';
import type { PatientContext, SeriesState } from './evaluation-context';
import type { AntigenDose, AntigenResult, EvaluateInput, EvaluateResult, PatientSeries, VaccineGroupResult } from './engine-types';
import { forecastPatientSeries } from './forecast-series';
import { organizeHistory } from './gather-history';
import { isImmuneByBirthDate } from './immunity';
import { cdsiGender, selectRelevantSeries } from './select-relevant-series';
import { selectBestSeries } from './select-best-series';
import type { SupportingData } from './supporting-data';
import { combineVaccineGroup } from './vaccine-group-result';

/** A loaded CDSi engine: pure functions over immutable supporting data. */
export interface CdsiEngine {
  readonly data: SupportingData;
  /** Vaccine groups the data can evaluate (those with at least one standard series). */
  readonly vaccineGroups: string[];
  /** Evaluates the history and forecasts next doses per vaccine group. Throws FhirError 422 on malformed dates. */
  evaluate(input: EvaluateInput): EvaluateResult;
}

/** Runs every relevant patient series of one antigen and selects the best (CDSi chapters 5-8). */
export function evaluateAntigen(patient: PatientContext, antigen: string, doses: AntigenDose[]): AntigenResult | undefined {
  const def = patient.data.antigens.get(antigen);
  if (!def) return undefined;
  const relevant = selectRelevantSeries(def.series, patient.gender);
  if (relevant.length === 0) return undefined;
  const evaluated: PatientSeries[] = [];
  const isSeriesGroupComplete = (group: string) =>
    evaluated.some((s) => (s.series.selectSeries.seriesGroup ?? '') === group && s.status === 'Complete');
  const ordered = [...relevant].sort((a, b) => (Number(a.selectSeries.seriesGroup) || 0) - (Number(b.selectSeries.seriesGroup) || 0));
  const immune = isImmuneByBirthDate(def, patient.dob);
  for (const series of ordered) {
    const ps = evaluatePatientSeries(patient, antigen, series, doses, isSeriesGroupComplete);
    if (immune) {
      ps.status = 'Immune';
    } else {
      const state: SeriesState = { patient, antigenDoses: doses, series: ps, isSeriesGroupComplete };
      forecastPatientSeries(state);
    }
    evaluated.push(ps);
  }
  return { antigen, best: selectBestSeries(evaluated, patient), candidates: evaluated };
}

/** Builds an engine over already-loaded supporting data. */
export function createCdsiEngine(data: SupportingData): CdsiEngine {
  const groups = [...data.vaccineGroups.values()].filter((g) =>
    g.antigens.some((a) => (data.antigens.get(a)?.series ?? []).some((s) => s.seriesType === 'Standard')));
  const vaccineGroups = groups.map((g) => g.name);
  return {
    data,
    vaccineGroups,
    evaluate(input: EvaluateInput): EvaluateResult {
      const dob = parseDay(input.birthDate);
      if (dob === undefined) throw unprocessable([issue('invalid', `Invalid birth date ${JSON.stringify(input.birthDate)}: expected YYYY-MM-DD`, 'birthDate')]);
      const assessment = parseDay(input.assessmentDate);
      if (assessment === undefined) throw unprocessable([issue('invalid', `Invalid assessment date ${JSON.stringify(input.assessmentDate)}: expected YYYY-MM-DD`, 'assessmentDate')]);
      const { history, byAntigen } = organizeHistory(data, dob, input.doses);
      const patient: PatientContext = { data, dob, gender: cdsiGender(input.gender), assessment, history };
      const wanted = input.vaccineGroups ? new Set(input.vaccineGroups.map((g) => g.toLowerCase())) : undefined;
      const out: VaccineGroupResult[] = [];
      for (const g of groups) {
        if (wanted && !wanted.has(g.name.toLowerCase())) continue;
        const antigens = g.antigens
          .map((a) => evaluateAntigen(patient, a, byAntigen.get(a) ?? []))
          .filter((a): a is AntigenResult => a !== undefined);
        if (antigens.length === 0) continue;
        out.push(combineVaccineGroup(g, antigens));
      }
      return { assessmentDate: input.assessmentDate.slice(0, 10), vaccineGroups: out };
    },
  };
}
