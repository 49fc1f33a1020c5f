import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';
import { FhirError } from '../shared/fhir-error';
import type { VaccinationInput } from './clinic-input';
import { IssueList, parseVaccination } from './clinic-input';
import type { ClinicDeps } from './clinic-records';
import { recordVaccinations, validateVaccinationResources, type ValidationMemo } from './clinic-records';

/** Most rows one report may carry. */
/** Default largest number of data rows one report may have (operators may lower or raise it: REPORT_MAX_ROWS). */
export const MAX_REPORT_ROWS = 100_000;
/** Rejected rows listed in the response and in the stored result (the counts always cover all). */
export const MAX_LISTED_ERRORS = 1_000;

/** CSV columns of a clinic's daily report (docs/IMMUNIZATION-TRACKING.md): name → [required, VaccinationInput field]. */
export const REPORT_COLUMNS: Record<string, { required: boolean; description: string }> = {
  record_id: { required: true, description: "The clinic's own id of the vaccination record: row identity is clinic + record_id (a repeated record_id updates or leaves the record)." },
  patient_id: { required: false, description: "The clinic's own patient id (recommended); absent → derived from given, family and birth_date." },
  family: { required: true, description: 'Family name.' },
  given: { required: false, description: 'Given name(s).' },
  sex: { required: false, description: 'male | female | other | unknown (m / f accepted).' },
  birth_date: { required: true, description: 'YYYY-MM-DD.' },
  vaccine: { required: true, description: 'CVX code (e.g. 208, 207, 212) or an unambiguous vaccine / product name.' },
  date: { required: true, description: 'Administration date YYYY-MM-DD (not in the future, not before birth).' },
  provider: { required: false, description: 'Administering provider (free text).' },
  lot_number: { required: false, description: 'Vaccine lot number.' },
  status: { required: false, description: 'completed (default) or entered-in-error (a correction of an earlier row with the same record_id).' },
  address_line: { required: false, description: 'Street address.' },
  city: { required: false, description: 'City.' },
  postcode: { required: false, description: 'Postal code.' },
  phone: { required: false, description: 'Phone number.' },
};

/** One rejected row. */
export interface RowError {
  /** 1-based data row (the header is row 0). */
  row: number;
  /** Line in the file where the row starts. */
  line: number;
  column?: string;
  reason: string;
}

/** Summary of one report import. */
export interface ReportResult {
  /** Id of the stored OperationOutcome (GET /fhir/OperationOutcome/{id} or /api/clinics/{clinic}/reports/{id}). */
  id: string;
  clinic: string;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** True when the file had more than the row limit (MAX_REPORT_ROWS unless configured; the rest were not read). */
  truncated: boolean;
  errors: RowError[];
  millis: number;
}

const FIELD_OF: Record<string, string> = {
  record_id: 'recordId', patient_id: 'patientId', vaccine: 'vaccine', date: 'date', provider: 'provider', lot_number: 'lotNumber', status: 'status', clinic: 'clinic',
};
const PHI_OF: Record<string, string> = { family: 'family', given: 'given', sex: 'sex', birth_date: 'birthDate', address_line: 'addressLine', city: 'city', postcode: 'postcode', phone: 'phone' };
const COLUMN_OF: Record<string, string> = Object.fromEntries([...Object.entries(FIELD_OF), ...Object.entries(PHI_OF).map(([c, f]) => [c, `phi.${f}`])].map(([c, f]) => [f, c]));

/** One CSV record → a checked VaccinationInput, or the row's problems (column names, not JSON paths). */
export function rowToVaccination(record: Record<string, string>, clinic: string, deps: ClinicDeps, today: string, memo?: ValidationMemo): VaccinationInput | Array<{ column?: string; reason: string }> {
  const body: Record<string, unknown> = { clinic, phi: {} };
  for (const [col, value] of Object.entries(record)) {
    if (value === '') continue;
    if (FIELD_OF[col]) body[FIELD_OF[col]] = value;
    else if (PHI_OF[col]) (body.phi as Record<string, string>)[PHI_OF[col]] = value;
  }
  const issues = new IssueList();
  if (!record.record_id) return [{ column: 'record_id', reason: 'record_id is required' }];
  if (!record.date) issues.add('required', 'date is required', 'date');
  try {
    if (issues.issues.length > 0) issues.throwIfAny();
    const input = parseVaccination(body, deps.tracker.engine, today, issues);
    validateVaccinationResources(deps, input, memo);
    return input;
  } catch (err) {
    if (!(err instanceof FhirError)) throw err;
    return err.issues.map((i) => {
      const path = i.expression?.[0];
      const column = path ? COLUMN_OF[path] : undefined;
      const reason = (i.diagnostics ?? i.code).replace(/\bphi\.(\w+)/g, (_m, f: string) => COLUMN_OF[`phi.${f}`] ?? f).replace(/\b(recordId|patientId|lotNumber)\b/g, (m) => COLUMN_OF[m] ?? m);
      return { column, reason };
    });
  }
}

/** The stored form of a result: an OperationOutcome with a summary issue and one error issue per listed rejected row. */
export function resultToOperationOutcome(r: Omit<ReportResult, 'id' | 'millis'>, maxRows = MAX_REPORT_ROWS): OperationOutcome {
  const summary = `Clinic ${r.clinic} report: ${r.rows} rows, ${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged, ${r.rejected} rejected${r.truncated ? `, truncated at ${maxRows} rows` : ''}`;
  const issue: OperationOutcomeIssue[] = [{ severity: r.rejected > 0 ? 'warning' : 'information', code: 'informational', diagnostics: summary }];
  for (const e of r.errors) {
    issue.push({ severity: 'error', code: 'invalid', diagnostics: `row ${e.row} (line ${e.line})${e.column ? `, column ${e.column}` : ''}: ${e.reason}`, expression: [`row[${e.row}]${e.column ? `.${e.column}` : ''}`] });
  }
  if (r.rejected > r.errors.length) issue.push({ severity: 'information', code: 'informational', diagnostics: `${r.rejected - r.errors.length} more rejected rows not listed` });
  return { resourceType: 'OperationOutcome', issue };
}

interface Pending { row: number; line: number; input: VaccinationInput }

/**
 * Imports a clinic's CSV report from a stream: rows are parsed as they arrive, checked, and written in
 * chunks (one transaction each, tracking recomputed once per person per chunk). Good rows are committed,
 * bad rows reported with row number and reason; the result is stored as an OperationOutcome.
 * Throws FhirError 400 when the header lacks a required column.
 */
export async function importReport(deps: ClinicDeps, clinic: string, body: Readable, options: { today: string; chunkSize?: number; concurrency?: number; maxRows?: number }): Promise<ReportResult> {
  const maxRows = options.maxRows ?? MAX_REPORT_ROWS;
  const started = performance.now();
  const chunkSize = options.chunkSize ?? 1000;
  const concurrency = options.concurrency ?? 1;
  const result: Omit<ReportResult, 'id' | 'millis'> = { clinic, rows: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, truncated: false, errors: [] };
  const reject = (row: number, line: number, column: string | undefined, reason: string) => {
    result.rejected++;
    if (result.errors.length < MAX_LISTED_ERRORS) result.errors.push({ row, line, ...(column ? { column } : {}), reason });
  };
  const memo: ValidationMemo = new Map();
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const write = async (chunk: Pending[]) => {
    try {
      const out = await deps.services.store.transaction(undefined, (trx) => recordVaccinations(trx, deps, clinic, chunk.map((c) => c.input)));
      for (const o of out) result[o.result]++;
    } catch (err) {
      if (chunk.length === 1) {
        const e = chunk[0];
        if (err instanceof FhirError) reject(e.row, e.line, undefined, err.message);
        else throw err;
        return;
      }
      // Isolate the failing row(s): retry one row per transaction.
      for (const c of chunk) await write([c]);
    }
  };
  const flush = async (chunk: Pending[]) => {
    if (chunk.length === 0) return;
    const p: Promise<void> = write(chunk).catch((err) => {
      failure ??= err;
    }).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  };

  const parser = body.pipe(parse({ columns: (header: string[]) => checkHeader(header), bom: true, skip_empty_lines: true, trim: true, relax_column_count: false, info: true }));
  let chunk: Pending[] = [];
  try {
    for await (const item of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number; records: number } }>) {
      if (failure) throw failure;
      const row = item.info.records;
      if (row > maxRows) {
        result.truncated = true;
        // Stop parsing but let the rest of the upload drain (bounded by the route's maxBytes): destroying the request
        // would close the connection before the client could read the 413.
        body.unpipe(parser);
        body.resume();
        break;
      }
      result.rows++;
      const parsed = rowToVaccination(item.record, clinic, deps, options.today, memo);
      if (Array.isArray(parsed)) {
        for (const p of parsed.slice(0, 1)) reject(row, item.info.lines, p.column, parsed.map((x) => x.reason).join('; '));
        continue;
      }
      chunk.push({ row, line: item.info.lines, input: parsed });
      if (chunk.length >= chunkSize) {
        await flush(chunk);
        chunk = [];
      }
    }
  } catch (err) {
    if (err instanceof FhirError) throw err;
    const e = err as { code?: string; message?: string; lines?: number; records?: number };
    if (failure || !e.code?.startsWith('CSV_')) throw failure ?? err;
    // Malformed CSV: keep what was read, report where it broke.
    reject((e.records ?? result.rows) + 1, e.lines ?? 0, undefined, `Malformed CSV (${e.code}): ${e.message?.split('\n')[0] ?? ''}; the rest of the file was not read`);
  }
  await flush(chunk);
  await Promise.all(inFlight);
  if (failure) throw failure;
  result.errors.sort((a, b) => a.row - b.row);
  const stored = await deps.services.store.create(undefined, resultToOperationOutcome(result, maxRows));
  return { id: stored.id, ...result, millis: Math.round(performance.now() - started) };
}

/** Checks the header: required columns present, no unknown or repeated column. Throws FhirError 400. */
export function checkHeader(header: string[]): string[] {
  const cols = header.map((h) => h.trim().toLowerCase());
  const issues = new IssueList();
  for (const c of cols) if (!REPORT_COLUMNS[c]) issues.add('structure', `Unknown column '${c.slice(0, 40)}' in the header: expected ${Object.keys(REPORT_COLUMNS).join(', ')}`, `header.${c.slice(0, 40)}`);
  for (const [c, def] of Object.entries(REPORT_COLUMNS)) if (def.required && !cols.includes(c)) issues.add('required', `Required column '${c}' is missing from the header`, `header.${c}`);
  const dup = cols.filter((c, i) => cols.indexOf(c) !== i);
  if (dup.length > 0) issues.add('structure', `Column(s) ${[...new Set(dup)].join(', ')} appear more than once`, 'header');
  issues.throwIfAny();
  return cols;
}
