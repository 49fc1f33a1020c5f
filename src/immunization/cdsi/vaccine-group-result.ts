import { formatDay, type DayNumber } from './cdsi-date';
import type { AntigenResult, DoseEvaluationResult, GroupForecast, SeriesStatus, VaccineGroupResult } from './engine-types';
import type { VaccineGroupInfo } from './supporting-data';

/**
 * CDSi "Identify and evaluate vaccine group" (Logic Spec chapter 9): combines the best series of each antigen into a
 * vaccine group status and forecast. When the full vaccine group must be administered together (e.g. MMR) the
 * forecast dates are the latest of the antigens'; otherwise the earliest of the antigens still needing a dose.
 */
export function combineVaccineGroup(group: VaccineGroupInfo, antigens: AntigenResult[]): VaccineGroupResult {
  const statuses = antigens.map((a) => a.best.status);
  let status: SeriesStatus;
  if (statuses.every((s) => s === 'Immune')) status = 'Immune';
  else if (statuses.every((s) => s === 'Complete' || s === 'Immune')) status = 'Complete';
  else if (statuses.includes('Not complete')) status = 'Not complete';
  else if (statuses.includes('Contraindicated')) status = 'Contraindicated';
  else status = 'Aged out';

  const evaluations: DoseEvaluationResult[] = [];
  for (const a of antigens) {
    for (const d of a.best.doses) {
      evaluations.push({
        doseId: d.dose.id, date: formatDay(d.dose.date), cvx: d.dose.cvx, antigen: a.antigen, status: d.status, reason: d.reason,
        doseNumber: d.status === 'Valid' && d.targetDose !== undefined ? d.targetDose + 1 : undefined, seriesName: a.best.series.seriesName,
      });
    }
  }
  const byDose = new Map<string, DoseEvaluationResult[]>();
  for (const e of evaluations) byDose.set(e.doseId, [...(byDose.get(e.doseId) ?? []), e]);
  const validDoseCount = [...byDose.values()].filter((rows) => rows.every((r) => r.status === 'Valid')).length;

  let forecast: GroupForecast | undefined;
  const needing = antigens.filter((a) => a.best.status === 'Not complete' && a.best.forecast);
  if (status === 'Not complete' && needing.length > 0) {
    const pick = group.administerFull ? Math.max : Math.min;
    const fs = needing.map((a) => a.best.forecast!);
    const earliest = pick(...fs.map((f) => f.earliest));
    const recommended = pick(...fs.map((f) => f.recommended));
    const pastDues = fs.map((f) => f.pastDue).filter((d): d is DayNumber => d !== undefined);
    const latests = fs.map((f) => f.latest).filter((d): d is DayNumber => d !== undefined);
    forecast = {
      // FORECASTDN-2: the lowest antigen dose number when the full group is given together, else the highest
      // (e.g. Td doses count for tetanus but not pertussis).
      doseNumber: group.administerFull ? Math.min(...fs.map((f) => f.doseNumber)) : Math.max(...fs.map((f) => f.doseNumber)),
      earliest: formatDay(earliest),
      recommended: formatDay(recommended),
      pastDue: pastDues.length > 0 ? formatDay(pick(...pastDues)) : undefined,
      latest: latests.length > 0 ? formatDay(Math.min(...latests)) : undefined,
      vaccineTypes: [...new Set(fs.flatMap((f) => f.vaccineTypes))],
    };
  }
  return { vaccineGroup: group.name, status, validDoseCount, forecast, evaluations, antigens };
}
