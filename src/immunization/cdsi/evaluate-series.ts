import { shouldSkipTargetDose } from './conditional-skip';
import { evaluateAge } from './evaluate-age';
import { allowableIntervalMet, evaluatePreferableInterval } from './evaluate-interval';
import { hasLiveVirusConflict } from './evaluate-live-virus';
import { evaluateVaccine, isInadvertent } from './evaluate-vaccine';
import { previousCountableDose, type PatientContext, type SeriesState } from './evaluation-context';
import type { AntigenDose, EvaluatedDose, PatientSeries } from './engine-types';
import type { CdsiSeries } from './supporting-data-types';

/** Evaluation reason when a dose is neither a preferable nor an allowable vaccine for the target dose (the CDC test cases report it as an inadvertent vaccine). */
export const REASON_VACCINE_NOT_ALLOWED = 'Inadvertent Vaccine';
/** Evaluation reason for doses given after the series was complete. */
export const REASON_SERIES_COMPLETE = 'Series Already Complete';

/**
 * CDSi "Evaluate immunization history" for one patient series (Logic Spec chapter 6): walks the antigen's doses in
 * date order against the series' target doses — conditional skip, inadvertent vaccine, age, preferable/allowable
 * interval, live virus conflict, preferable/allowable vaccine — and marks target doses satisfied or skipped.
 */
export function evaluatePatientSeries(
  patient: PatientContext, antigen: string, series: CdsiSeries, antigenDoses: AntigenDose[],
  isSeriesGroupComplete: (group: string) => boolean,
): PatientSeries {
  const targets = series.seriesDose;
  const ps: PatientSeries = {
    antigen, series, doses: [], targetStatus: targets.map(() => 'Not satisfied'), satisfiedBy: targets.map(() => undefined),
    nextTarget: 0, status: 'Not complete',
  };
  const state: SeriesState = { patient, antigenDoses, series: ps, isSeriesGroupComplete };
  const statusOf = new Map<AntigenDose, EvaluatedDose>();
  const isValid = (d: AntigenDose) => statusOf.get(d)?.status !== 'Not Valid';

  antigenDoses.forEach((dose, index) => {
    const record = (ev: EvaluatedDose) => { ps.doses.push(ev); statusOf.set(dose, ev); };
    while (ps.nextTarget < targets.length
      && shouldSkipTargetDose(targets[ps.nextTarget], { state, refDate: dose.date, evaluatedCount: index, context: 'Evaluation' })) {
      ps.targetStatus[ps.nextTarget] = 'Skipped';
      ps.nextTarget++;
    }
    if (ps.nextTarget >= targets.length) {
      record({ dose, status: 'Extraneous', reason: REASON_SERIES_COMPLETE });
      return;
    }
    const t = ps.nextTarget;
    const target = targets[t];
    const prior = ps.doses;
    if (isInadvertent(target, dose.cvx)) {
      record({ dose, status: 'Not Valid', reason: 'Inadvertent Vaccine', targetDose: t });
      return;
    }
    const previous = previousCountableDose(prior);
    let reason = evaluateAge(target, patient.dob, dose.date, t === 0 ? undefined : previous);
    if (!reason) {
      const intervalReason = evaluatePreferableInterval(target, state, prior, dose.date);
      if (intervalReason && !allowableIntervalMet(target, state, prior, dose.date)) reason = intervalReason;
    }
    if (!reason && hasLiveVirusConflict(patient.data, patient.history, dose, isValid)) reason = 'Live Virus Conflict';
    if (!reason && evaluateVaccine(target, patient.dob, dose.date, dose.cvx) === 'none') reason = REASON_VACCINE_NOT_ALLOWED;
    if (reason) {
      record({ dose, status: 'Not Valid', reason, targetDose: t });
      return;
    }
    record({ dose, status: 'Valid', targetDose: t });
    ps.targetStatus[t] = 'Satisfied';
    ps.satisfiedBy[t] = ps.doses.at(-1);
    if ((target.recurringDose ?? '').toLowerCase() !== 'yes') ps.nextTarget++;
  });
  if (ps.nextTarget >= targets.length) ps.status = 'Complete';
  return ps;
}
