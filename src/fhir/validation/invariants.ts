import fhirpath from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4';
import type { ElementDefinitionConstraint, OperationOutcomeIssue } from 'fhir/r4';
import { validationIssue } from './issues';

type Evaluator = (data: unknown, env: Record<string, unknown>) => unknown[];

/**
 * Invariants using functions that need a server, a terminology service or other profiles are not
 * evaluated offline: resolve() (e.g. ctm-1), conformsTo(), memberOf().
 */
const UNSUPPORTED = /\b(resolve|conformsTo|memberOf|subsumes|subsumedBy)\s*\(/;

/**
 * Native implementations of the two invariants found on nearly every element, each keyed by its
 * exact R4 expression (used only when the expression matches): evaluating them through fhirpath.js
 * costs ~15 µs per element, the bulk of a validation.
 */
const NATIVE: Record<string, (value: Record<string, unknown>) => boolean> = {
  // ele-1: All FHIR elements must have a @value or children (http://hl7.org/fhir/R4/element.html#invs).
  'hasValue() or (children().count() > id.count())': (v) => Object.entries(v).some(([k, x]) => k !== 'id' && x !== null && x !== undefined),
  // ext-1: Must have either extensions or value[x], not both (http://hl7.org/fhir/R4/extensibility.html#invs).
  'extension.exists() != value.exists()': (v) => {
    const hasExtension = Array.isArray(v.extension) ? v.extension.length > 0 : v.extension !== undefined && v.extension !== null;
    const hasValue = Object.keys(v).some((k) => /^_?value[A-Z]/.test(k) && v[k] !== null && v[k] !== undefined);
    return hasExtension !== hasValue;
  },
};

/**
 * R4 invariants use as() on collections (e.g. dom-3: `descendants().as(canonical)`), which FHIRPath
 * N1 defined as a filter but fhirpath.js rejects ("Expected singleton"); ofType() is that filter.
 */
function adaptExpression(expression: string): string {
  return expression.replace(/\.as\(/g, '.ofType(');
}

const compiled = new Map<string, Evaluator | null>();
/** Invariants that could not be compiled or threw on some instance ("key: reason"), for diagnosis. */
const skipped = new Map<string, string>();

function evaluatorFor(base: string | undefined, expression: string, key: string): Evaluator | null {
  const cacheKey = `${base ?? ''}\u0000${expression}`;
  let fn = compiled.get(cacheKey);
  if (fn === undefined) {
    if (UNSUPPORTED.test(expression)) {
      fn = null;
      skipped.set(key, 'uses a function that needs a server or terminology service');
    } else {
      try {
        const adapted = adaptExpression(expression);
        const path = base ? { base, expression: adapted } : adapted;
        fn = fhirpath.compile(path, r4Model, { async: false, traceFn: () => undefined }) as unknown as Evaluator;
      } catch (e) {
        fn = null;
        skipped.set(key, `cannot be compiled by fhirpath.js: ${(e as Error).message.slice(0, 200)}`);
      }
    }
    compiled.set(cacheKey, fn);
  }
  return fn;
}

/** Invariant keys skipped so far in this process, with the reason. */
export function skippedInvariants(): ReadonlyMap<string, string> {
  return skipped;
}

/** Where and on what an invariant is evaluated. */
export interface InvariantTarget {
  /** The element value (object) the invariant is about. */
  value: unknown;
  /** FHIRPath location of that value in the validated resource. */
  location: string;
  /** fhirpath.js model path of the value's type (e.g. "Period", "Patient.contact"); undefined for a resource root. */
  base: string | undefined;
}

/**
 * Evaluates error-severity invariants (ElementDefinition.constraint, http://hl7.org/fhir/R4/conformance-rules.html#constraints)
 * on one element instance with fhirpath.js. An invariant fails only when it evaluates to `false`;
 * one that cannot be compiled or throws is skipped, never reported as an error.
 */
export function evaluateInvariants(
  constraints: ElementDefinitionConstraint[],
  target: InvariantTarget,
  env: { resource: unknown; rootResource: unknown },
  suffix: string,
  issues: OperationOutcomeIssue[],
): void {
  for (const c of constraints) {
    if (c.severity !== 'error' || !c.expression) continue;
    const native = NATIVE[c.expression];
    if (native && target.value !== null && typeof target.value === 'object' && !Array.isArray(target.value)) {
      if (!native(target.value as Record<string, unknown>)) {
        issues.push(validationIssue('invariant', `Constraint failed: ${c.key}: ${c.human}${suffix}`, target.location));
      }
      continue;
    }
    const fn = evaluatorFor(target.base, c.expression, c.key);
    if (!fn) continue;
    let result: unknown[];
    try {
      result = fn(target.value, { resource: env.resource, rootResource: env.rootResource });
    } catch (e) {
      if (!skipped.has(c.key)) skipped.set(c.key, `throws in fhirpath.js: ${(e as Error).message.slice(0, 200)}`);
      continue;
    }
    if (Array.isArray(result) && result.length === 1 && result[0] === false) {
      issues.push(validationIssue('invariant', `Constraint failed: ${c.key}: ${c.human}${suffix}`, target.location));
    }
  }
}
