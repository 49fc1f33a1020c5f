import type { CdsiEngine } from './engine';
import type { EvaluateInput, VaccineGroupResult } from './engine-types';

/** One CDC CDSi test case as exported to JSON (https://www.cdc.gov/iis/cdsi/index.html — "Test Cases"). */
export interface CdcTestCase {
  cdcTestId: string;
  testcaseName: string;
  vaccineGroup: string;
  assessmentDate: string;
  patient: { dob: string; gender: string };
  evaluation: { seriesStatus: string; administeredDoses: CdcTestDose[] };
  forecast: { forecastNum: string; earliestDate: string; recommendedDate: string; pastDueDate: string };
  doses: CdcTestDose[];
}

/** A dose of a CDC test case with its expected evaluation. */
export interface CdcTestDose {
  dateAdministered: string;
  vaccineName?: string;
  cvx: string;
  mvx?: string;
  evaluationStatus: string;
  evaluationReason: string | null;
}

/** CDC test-case vaccine group codes → CDSi vaccine group names. */
export const CDC_GROUP_NAMES: Record<string, string> = {
  DTAP: 'DTaP/Tdap/Td', POL: 'Polio', HPV: 'HPV', HEPB: 'HepB', HIB: 'Hib', PCV: 'Pneumococcal', MMR: 'MMR', VAR: 'Varicella',
  ZOSTER: 'Zoster', HEPA: 'HepA', ROTA: 'Rotavirus', FLU: 'Influenza', MCV: 'Meningococcal', MENB: 'Meningococcal B', COVID: 'COVID-19',
};

/** Outcome of running one CDC case. */
export interface CdcCaseOutcome {
  id: string;
  vaccineGroup: string;
  evaluationPass: boolean;
  forecastPass: boolean;
  pass: boolean;
  /** Human-readable differences (empty when the case passes). */
  differences: string[];
}

const NO_DATE = '0001-01-01';
const day = (t: string | null | undefined) => (t ? t.slice(0, 10) : undefined);
const dateOrNone = (t: string | null | undefined) => { const d = day(t); return d === NO_DATE ? undefined : d; };

/** Engine input for a CDC case. */
export function cdcCaseInput(tc: CdcTestCase): EvaluateInput {
  return {
    birthDate: tc.patient.dob.slice(0, 10),
    gender: tc.patient.gender,
    assessmentDate: tc.assessmentDate.slice(0, 10),
    doses: tc.doses.map((d, i) => ({ id: `d${i}`, date: d.dateAdministered.slice(0, 10), cvx: d.cvx, mvx: d.mvx || undefined })),
    vaccineGroups: [CDC_GROUP_NAMES[tc.vaccineGroup.toUpperCase()] ?? tc.vaccineGroup],
  };
}

/** Per-dose status for the group: not valid for any antigen wins, then valid, then extraneous. */
export function groupDoseStatus(group: VaccineGroupResult, doseId: string): { status: string; reason?: string } | undefined {
  const rows = group.evaluations.filter((e) => e.doseId === doseId);
  if (rows.length === 0) return undefined;
  const notValid = rows.find((r) => r.status === 'Not Valid');
  if (notValid) return { status: 'Not Valid', reason: notValid.reason };
  if (rows.some((r) => r.status === 'Valid')) return { status: 'Valid' };
  return { status: rows[0].status, reason: rows[0].reason };
}

/** Runs a CDC case and compares dose statuses (and reasons), series status and forecast dates. */
export function runCdcCase(engine: CdsiEngine, tc: CdcTestCase): CdcCaseOutcome {
  const input = cdcCaseInput(tc);
  const groupName = input.vaccineGroups![0];
  const result = engine.evaluate(input);
  const group = result.vaccineGroups.find((g) => g.vaccineGroup === groupName);
  const differences: string[] = [];
  let evaluationPass = true;
  let forecastPass = true;
  if (!group) {
    return { id: tc.cdcTestId, vaccineGroup: groupName, evaluationPass: false, forecastPass: false, pass: false, differences: [`no result for ${groupName}`] };
  }
  tc.evaluation.administeredDoses.forEach((expected, i) => {
    const got = groupDoseStatus(group, `d${i}`);
    if (!got) return; // a dose of another vaccine group (e.g. LAIV in a varicella case) is not evaluated here
    const reasonOk = expected.evaluationStatus === 'Valid' || (expected.evaluationReason ?? undefined) === got.reason;
    if (got.status !== expected.evaluationStatus || !reasonOk) {
      evaluationPass = false;
      differences.push(`dose ${i + 1} (${day(expected.dateAdministered)} cvx ${expected.cvx}): expected ${expected.evaluationStatus}${expected.evaluationReason ? ` (${expected.evaluationReason})` : ''}, got ${got.status}${got.reason ? ` (${got.reason})` : ''}`);
    }
  });
  if (group.status !== tc.evaluation.seriesStatus) {
    evaluationPass = false;
    differences.push(`series status: expected ${tc.evaluation.seriesStatus}, got ${group.status}`);
  }
  const ef = tc.forecast;
  const expectForecast = /^\d+$/.test(ef.forecastNum ?? '');
  const f = group.forecast;
  if (!expectForecast) {
    if (f) { forecastPass = false; differences.push(`forecast: expected none, got dose ${f.doseNumber} ${f.earliest}/${f.recommended}/${f.pastDue ?? '-'}`); }
  } else if (!f) {
    forecastPass = false;
    differences.push(`forecast: expected dose ${ef.forecastNum} ${day(ef.earliestDate)}/${day(ef.recommendedDate)}/${dateOrNone(ef.pastDueDate) ?? '-'}, got none`);
  } else {
    const want = `dose ${ef.forecastNum} ${dateOrNone(ef.earliestDate)}/${dateOrNone(ef.recommendedDate)}/${dateOrNone(ef.pastDueDate) ?? '-'}`;
    const got = `dose ${f.doseNumber} ${f.earliest}/${f.recommended}/${f.pastDue ?? '-'}`;
    if (want !== got) { forecastPass = false; differences.push(`forecast: expected ${want}, got ${got}`); }
  }
  return { id: tc.cdcTestId, vaccineGroup: groupName, evaluationPass, forecastPass, pass: evaluationPass && forecastPass, differences };
}
