import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';

/** OperationOutcome.issue.code values used by Tessera (http://hl7.org/fhir/R4/valueset-issue-type.html). */
export type IssueCode = OperationOutcomeIssue['code'];

/**
 * The one error type deep code throws. The HTTP layer turns it into an OperationOutcome with
 * `status` as the response code; 5xx never carry internals.
 */
export class FhirError extends Error {
  readonly status: number;
  readonly issues: OperationOutcomeIssue[];
  /** Extra response headers (e.g. Allow on 405). */
  readonly headers: Record<string, string>;

  constructor(status: number, issues: OperationOutcomeIssue[] | OperationOutcomeIssue, headers: Record<string, string> = {}) {
    const list = Array.isArray(issues) ? issues : [issues];
    super(list.map((i) => i.diagnostics ?? i.code).join('; '));
    this.name = 'FhirError';
    this.status = status;
    this.issues = list;
    this.headers = headers;
  }

  toOperationOutcome(): OperationOutcome {
    return { resourceType: 'OperationOutcome', issue: this.issues };
  }
}

/** Builds one error issue; `expression` is the FHIRPath location of the problem when there is one. */
export function issue(code: IssueCode, diagnostics: string, expression?: string | string[], severity: OperationOutcomeIssue['severity'] = 'error'): OperationOutcomeIssue {
  const out: OperationOutcomeIssue = { severity, code, diagnostics };
  if (expression !== undefined) out.expression = Array.isArray(expression) ? expression : [expression];
  return out;
}

export const badRequest = (msg: string, expression?: string | string[]) => new FhirError(400, issue('invalid', msg, expression));
export const notFound = (msg: string) => new FhirError(404, issue('not-found', msg));
export const gone = (msg: string) => new FhirError(410, issue('deleted', msg));
export const conflict = (msg: string) => new FhirError(409, issue('conflict', msg));
export const preconditionFailed = (msg: string) => new FhirError(412, issue('conflict', msg));
export const unprocessable = (issues: OperationOutcomeIssue[]) => new FhirError(422, issues);
export const notSupported = (msg: string, allow?: string[]) =>
  new FhirError(405, issue('not-supported', msg), allow ? { Allow: allow.join(', ') } : {});

/** An OperationOutcome carrying only information (e.g. for `Prefer: return=OperationOutcome`). */
export function informational(msg: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', diagnostics: msg }] };
}
