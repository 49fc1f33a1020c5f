import { issue, unprocessable } from '../../shared/fhir-error';
import { addDurationText, parseDay } from './cdsi-date';
import type { AntigenDose, DoseInput } from './engine-types';
import { normalizeCvx, type SupportingData } from './supporting-data';

/**
 * CDSi "Organize immunization history" (Logic Spec chapter 4): maps each administered dose to the antigens its CVX
 * carries (honouring association begin/end ages) and sorts each antigen's doses by date.
 * Doses with a CVX that has no antigen association (e.g. non-vaccines) are ignored.
 */
export function organizeHistory(data: SupportingData, dob: number, doses: DoseInput[]): { history: AntigenDose[]; byAntigen: Map<string, AntigenDose[]> } {
  const history: AntigenDose[] = [];
  const byAntigen = new Map<string, AntigenDose[]>();
  doses.forEach((d, inputIndex) => {
    const date = parseDay(d.date);
    if (date === undefined) throw unprocessable([issue('invalid', `Invalid dose date ${JSON.stringify(d.date)}: expected YYYY-MM-DD`, `doses[${inputIndex}].date`)]);
    const cvx = normalizeCvx(d.cvx);
    const dose: AntigenDose = { id: d.id, date, cvx, mvx: d.mvx, inputIndex };
    history.push(dose);
    const vaccine = data.vaccines.get(cvx);
    for (const a of vaccine?.association ?? []) {
      const begin = addDurationText(dob, a.associationBeginAge);
      const end = addDurationText(dob, a.associationEndAge);
      if (begin !== undefined && date < begin) continue;
      if (end !== undefined && date >= end) continue;
      const list = byAntigen.get(a.antigen) ?? [];
      list.push(dose);
      byAntigen.set(a.antigen, list);
    }
  });
  const byDate = (x: AntigenDose, y: AntigenDose) => x.date - y.date || x.inputIndex - y.inputIndex;
  history.sort(byDate);
  for (const list of byAntigen.values()) list.sort(byDate);
  return { history, byAntigen };
}
