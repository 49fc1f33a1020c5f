import type { EvaluateResult, VaccineGroupResult } from './engine-types';

/** The result for a vaccine group by CDSi name (case-insensitive), e.g. "MMR", "COVID-19". */
export function findVaccineGroup(result: EvaluateResult, name: string): VaccineGroupResult | undefined {
  const key = name.toLowerCase();
  return result.vaccineGroups.find((g) => g.vaccineGroup.toLowerCase() === key);
}

/** True when the patient needs no more doses of the group's primary schedule (complete or immune). */
export function isVaccineGroupComplete(result: EvaluateResult, name: string): boolean {
  const g = findVaccineGroup(result, name);
  return !!g && (g.status === 'Complete' || g.status === 'Immune');
}

/** True when at least one dose counts (valid for every antigen of the group it carries). */
export function hasValidDose(result: EvaluateResult, name: string): boolean {
  return (findVaccineGroup(result, name)?.validDoseCount ?? 0) > 0;
}
