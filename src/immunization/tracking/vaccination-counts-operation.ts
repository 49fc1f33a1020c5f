import type { MeasureReport, MeasureReportGroupStratifier, Parameters, ParametersParameter, Resource } from 'fhir/r4';
import { badRequest } from '../../shared/fhir-error';
import { rejectUnknownParameters, stringParameter } from '../../fhir/operations/operation-parameters';
import type { OperationCall, OperationHandler, RequestContext } from '../../fhir/rest/request-context';
import { MAX_DAYS_BREAKDOWN, type CountsBreakdown, type ImmunizationTracker, type StateCounts } from './immunization-tracker';
import { dayNumber } from './count-deltas';
import { AGE_BANDS, TRACKING_STATES, isDay } from './tracking-model';

/** Canonical URL of the $vaccination-counts OperationDefinition. */
export const VACCINATION_COUNTS_URL = 'https://tessera.example.org/fhir/OperationDefinition/vaccination-counts';
/** Canonical URL of the Measure the MeasureReport form reports on. */
export const VACCINATION_MEASURE_URL = 'https://tessera.example.org/fhir/Measure/vaccination-status';
/** Code system of the three populations. */
export const VACCINATION_STATE_SYSTEM = 'https://tessera.example.org/fhir/CodeSystem/vaccination-state';

const PARAMS = new Set(['vaccine-group', 'clinic', 'age-band', 'date', 'breakdown', 'start']);
const BREAKDOWNS: readonly CountsBreakdown[] = ['clinic', 'age-band', 'day'];

/** Parsed and checked input of $vaccination-counts. */
export interface CountsRequest {
  group: string;
  clinic?: string;
  ageBand?: string;
  date: string;
  breakdown?: CountsBreakdown;
  /** First day of a `day` breakdown (default: 29 days before `date`). */
  start?: string;
}

/** Checks the operation's parameters (unknown names, dates, bands, groups) → a CountsRequest. Throws FhirError 400. */
export function parseCountsRequest(call: OperationCall, tracker: ImmunizationTracker, today: string): CountsRequest {
  rejectUnknownParameters(call, PARAMS, 'vaccination-counts');
  const groupName = stringParameter(call, 'vaccine-group') ?? (tracker.trackedGroups.length === 1 ? tracker.trackedGroups[0] : undefined);
  if (!groupName) throw badRequest(`Parameter 'vaccine-group' is required: one of ${tracker.trackedGroups.join(', ')}`, "Parameters.parameter.where(name='vaccine-group')");
  const group = tracker.trackedGroup(groupName);
  if (!group) throw badRequest(`Vaccine group '${groupName}' has no maintained counts: expected one of ${tracker.trackedGroups.join(', ')}`, "Parameters.parameter.where(name='vaccine-group')");
  const date = stringParameter(call, 'date') ?? today;
  if (!isDay(date)) throw badRequest(`Parameter 'date' must be a day YYYY-MM-DD, got '${date}'`, "Parameters.parameter.where(name='date')");
  const ageBand = stringParameter(call, 'age-band');
  if (ageBand !== undefined && !AGE_BANDS.some((b) => b.label === ageBand)) {
    throw badRequest(`Unknown age band '${ageBand}': expected one of ${AGE_BANDS.map((b) => b.label).join(', ')}`, "Parameters.parameter.where(name='age-band')");
  }
  const clinic = stringParameter(call, 'clinic');
  if (clinic !== undefined && !/^[A-Za-z0-9\-.]{1,64}$/.test(clinic)) throw badRequest(`Parameter 'clinic' must be an Organization id, got '${clinic.slice(0, 70)}'`, "Parameters.parameter.where(name='clinic')");
  const breakdown = stringParameter(call, 'breakdown') as CountsBreakdown | undefined;
  if (breakdown !== undefined && !BREAKDOWNS.includes(breakdown)) throw badRequest(`Parameter 'breakdown' must be one of ${BREAKDOWNS.join(', ')}, got '${String(breakdown).slice(0, 70)}'`, "Parameters.parameter.where(name='breakdown')");
  if (breakdown === 'clinic' && clinic) throw badRequest("Use either 'clinic' or 'breakdown=clinic', not both", "Parameters.parameter.where(name='breakdown')");
  if (breakdown === 'age-band' && ageBand) throw badRequest("Use either 'age-band' or 'breakdown=age-band', not both", "Parameters.parameter.where(name='breakdown')");
  let start = stringParameter(call, 'start');
  if (start !== undefined && breakdown !== 'day') throw badRequest("Parameter 'start' is only allowed with 'breakdown=day'", "Parameters.parameter.where(name='start')");
  if (breakdown === 'day') {
    start ??= new Date(Date.parse(`${date}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
    if (!isDay(start)) throw badRequest(`Parameter 'start' must be a day YYYY-MM-DD, got '${start.slice(0, 70)}'`, "Parameters.parameter.where(name='start')");
    const days = dayNumber(date) - dayNumber(start) + 1;
    if (days < 1 || days > MAX_DAYS_BREAKDOWN) throw badRequest(`A day breakdown covers 1 to ${MAX_DAYS_BREAKDOWN} days ('start' ≤ 'date'), got ${days}`, "Parameters.parameter.where(name='start')");
  }
  return { group, clinic, ageBand, date, breakdown, start };
}

function countParams(c: StateCounts): ParametersParameter[] {
  return TRACKING_STATES.map((s) => ({ name: s, valueInteger: c[s] }));
}

/** The Parameters form: the question echoed, the three counts, and one `stratum` per breakdown value. */
export function countsParameters(req: CountsRequest, total: StateCounts, strata?: Map<string, StateCounts>): Parameters {
  const parameter: ParametersParameter[] = [
    { name: 'vaccine-group', valueString: req.group },
    { name: 'date', valueDate: req.date },
  ];
  if (req.clinic) parameter.push({ name: 'clinic', valueReference: { reference: `Organization/${req.clinic}` } });
  if (req.ageBand) parameter.push({ name: 'age-band', valueString: req.ageBand });
  if (req.start) parameter.push({ name: 'start', valueDate: req.start });
  parameter.push(...countParams(total));
  for (const [value, c] of [...(strata ?? new Map<string, StateCounts>())].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const dim: ParametersParameter = req.breakdown === 'day' ? { name: 'day', valueDate: value } : { name: req.breakdown!, valueString: value === '' ? 'unattributed' : value };
    parameter.push({ name: 'stratum', part: [dim, ...countParams(c)] });
  }
  return { resourceType: 'Parameters', parameter };
}

/**
 * The MeasureReport form (http://hl7.org/fhir/R4/measurereport.html): a summary report with one population
 * per state (counts as of the end of period.end) and a stratifier for a breakdown (for `day`: one stratum
 * per day of the period, each with the counts as of the end of that day).
 */
export function countsMeasureReport(req: CountsRequest, total: StateCounts, now: Date, strata?: Map<string, StateCounts>): MeasureReport {
  const population = (c: StateCounts) => TRACKING_STATES.map((s) => ({ code: { coding: [{ system: VACCINATION_STATE_SYSTEM, code: s }] }, count: c[s] }));
  const group: MeasureReport['group'] = [{ code: { text: req.group }, population: population(total) }];
  if (strata && req.breakdown) {
    const stratifier: MeasureReportGroupStratifier = {
      code: [{ text: req.breakdown }],
      stratum: [...strata].sort(([a], [b]) => (a < b ? -1 : 1)).map(([value, c]) => ({ value: { text: value === '' ? 'unattributed' : value }, population: population(c) })),
    };
    group[0].stratifier = [stratifier];
  }
  const report: MeasureReport = {
    resourceType: 'MeasureReport',
    status: 'complete',
    type: 'summary',
    measure: VACCINATION_MEASURE_URL,
    date: now.toISOString(),
    period: { start: req.start ?? req.date, end: req.date },
    group,
  };
  if (req.clinic) report.reporter = { reference: `Organization/${req.clinic}` };
  if (req.ageBand) report.extension = [{ url: `${VACCINATION_MEASURE_URL}#age-band`, valueString: req.ageBand }];
  return report;
}

/**
 * GET /fhir/$vaccination-counts?vaccine-group=&clinic=&age-band=&date=&breakdown=clinic|age-band|day&start= → Parameters, and
 * GET /fhir/MeasureReport/$vaccination-counts?... → MeasureReport: exact counts of fully / partially /
 * not vaccinated persons as of `date` (default today), from the transactionally maintained aggregates.
 */
export function vaccinationCountsHandler(tracker: ImmunizationTracker): OperationHandler {
  return {
    name: 'vaccination-counts',
    levels: ['system', 'type'],
    resourceTypes: ['MeasureReport'],
    methods: ['GET'],
    definition: { url: VACCINATION_COUNTS_URL, name: 'VaccinationCounts' },
    async invoke(ctx: RequestContext, call: OperationCall): Promise<Resource> {
      const now = ctx.now();
      const req = parseCountsRequest(call, tracker, now.toISOString().slice(0, 10));
      const db = ctx.trx ?? ctx.services.knex;
      const q = { group: req.group, clinic: req.clinic, ageBand: req.ageBand, date: req.date, start: req.start };
      const { total, strata } = req.breakdown ? await tracker.breakdown(db, q, req.breakdown) : { total: await tracker.counts(db, q), strata: undefined };
      return call.resourceType === 'MeasureReport' ? countsMeasureReport(req, total, now, strata) : countsParameters(req, total, strata);
    },
  };
}
