import type { OperationOutcomeIssue } from 'fhir/r4';

/** OperationOutcome issue severity (http://hl7.org/fhir/R4/valueset-issue-severity.html). */
export type Severity = OperationOutcomeIssue['severity'];

/** Builds one validation issue at a FHIRPath location (http://hl7.org/fhir/R4/operationoutcome.html). */
export function validationIssue(
  code: OperationOutcomeIssue['code'],
  diagnostics: string,
  expression: string | undefined,
  severity: Severity = 'error',
): OperationOutcomeIssue {
  const out: OperationOutcomeIssue = { severity, code, diagnostics };
  if (expression) out.expression = [expression];
  return out;
}

/** Renders any instance value compactly for a diagnostics message (truncated, never the whole resource). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Removes exact duplicate issues (same severity, code, location and message), keeping the first. */
export function dedupeIssues(issues: OperationOutcomeIssue[]): OperationOutcomeIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.severity}|${i.code}|${(i.expression ?? []).join(',')}|${i.diagnostics ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** True when an issue makes the resource invalid (error or fatal). */
export function isBlocking(i: OperationOutcomeIssue): boolean {
  return i.severity === 'error' || i.severity === 'fatal';
}
