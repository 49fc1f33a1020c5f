import { addDurationText, type DayNumber } from './cdsi-date';
import type { AntigenDose } from './engine-types';
import { normalizeCvx, type SupportingData } from './supporting-data';

/** Window during which `currentCvx` may not follow a live dose `previous` (begin inclusive, end exclusive). */
export function conflictWindow(data: SupportingData, previous: AntigenDose, currentCvx: string, previousWasValid: boolean): { begin: DayNumber; end: DayNumber } | undefined {
  const rows = data.conflictsByCurrent.get(currentCvx);
  if (!rows) return undefined;
  for (const row of rows) {
    if (normalizeCvx(row.previous.cvx) !== previous.cvx) continue;
    const begin = addDurationText(previous.date, row.conflictBeginInterval);
    const end = addDurationText(previous.date, previousWasValid ? row.minConflictEndInterval : row.conflictEndInterval);
    if (begin === undefined || end === undefined) continue;
    return { begin, end };
  }
  return undefined;
}

/**
 * CDSi "Evaluate live virus conflict" (Logic Spec 6.7): a live vaccine given inside the conflict window of an earlier
 * live vaccine is not valid. The 4-day-shorter minimum conflict end applies when the earlier dose was valid.
 */
export function hasLiveVirusConflict(
  data: SupportingData, history: AntigenDose[], current: AntigenDose, isValid: (d: AntigenDose) => boolean,
): boolean {
  if (!data.conflictsByCurrent.has(current.cvx)) return false;
  for (const prev of history) {
    if (prev.date >= current.date) break;
    if (!data.liveVirusCvx.has(prev.cvx)) continue;
    const w = conflictWindow(data, prev, current.cvx, isValid(prev));
    if (w && current.date >= w.begin && current.date < w.end) return true;
  }
  return false;
}

/** Latest live virus conflict end date for a forecast of any of `cvxs` (Logic Spec 7, earliest date). */
export function latestConflictEnd(data: SupportingData, history: AntigenDose[], cvxs: string[], isValid: (d: AntigenDose) => boolean, upTo: DayNumber): DayNumber | undefined {
  let latest: DayNumber | undefined;
  for (const prev of history) {
    if (prev.date > upTo || !data.liveVirusCvx.has(prev.cvx)) continue;
    for (const cvx of cvxs) {
      const w = conflictWindow(data, prev, cvx, isValid(prev));
      if (w && (latest === undefined || w.end > latest)) latest = w.end;
    }
  }
  return latest;
}
