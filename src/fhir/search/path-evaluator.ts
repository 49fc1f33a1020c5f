import fhirpath from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4';

/** A value found by a search parameter expression, with its FHIR type when known statically. */
export interface TypedValue {
  value: unknown;
  type?: string;
}

/** A compiled parameter expression part: JSON in, typed values out. */
export interface PathEvaluator {
  (node: unknown): TypedValue[];
  /** `where(resolve() is X)`: only references to X count. */
  refType?: string;
}

const PRIMITIVES = new Set([
  'boolean', 'integer', 'string', 'decimal', 'uri', 'url', 'canonical', 'base64Binary', 'instant', 'date', 'dateTime',
  'time', 'code', 'oid', 'id', 'markdown', 'unsignedInt', 'positiveInt', 'uuid',
]);

interface Model {
  path2Type: Record<string, string>;
  choiceTypePaths: Record<string, string[]>;
  pathsDefinedElsewhere: Record<string, string>;
}
const model = r4Model as unknown as Model;

const cap = (s: string) => s[0].toUpperCase() + s.slice(1);
/** `DateTime` (a choice suffix) → `dateTime`; complex types unchanged. */
function choiceType(suffix: string): string {
  const lower = suffix[0].toLowerCase() + suffix.slice(1);
  return PRIMITIVES.has(lower) ? lower : suffix;
}
function normalizeType(t: string | undefined): string | undefined {
  if (!t) return undefined;
  if (t.startsWith('System.')) return t === 'System.String' ? 'string' : t.slice(7).toLowerCase();
  return t;
}

function children(values: unknown[], key: string): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    if (v === null || typeof v !== 'object') continue;
    const x = (v as Record<string, unknown>)[key];
    if (x === undefined || x === null) continue;
    if (Array.isArray(x)) for (const e of x) out.push(e);
    else out.push(x);
  }
  return out;
}

type Step = { keys: Array<{ key: string; type?: string }> };

/** Plans a dotted path with static types from the R4 model; undefined if it needs full FHIRPath. */
function plan(steps: string[], startPath: string | undefined, asType: string | undefined): Step[] | undefined {
  let cur = startPath;
  const out: Step[] = [];
  for (let i = 0; i < steps.length; i++) {
    const name = steps[i];
    const last = i === steps.length - 1;
    if (cur === undefined) {
      // relative path without a known context type: navigate by name, choice by suffix
      if (last && asType) out.push({ keys: [{ key: name + cap(asType), type: asType }, { key: name, type: asType }] });
      else out.push({ keys: [{ key: name }] });
      continue;
    }
    let path = `${cur}.${name}`;
    if (model.pathsDefinedElsewhere[path]) path = model.pathsDefinedElsewhere[path];
    const choices = model.choiceTypePaths[path];
    if (choices) {
      if (!last) return undefined;
      const list = asType ? choices.filter((c) => c.toLowerCase() === asType.toLowerCase()) : choices;
      out.push({ keys: list.map((c) => ({ key: name + c, type: choiceType(c) })) });
      return out;
    }
    const t = normalizeType(model.path2Type[path]);
    if (!t) return undefined;
    out.push({ keys: [{ key: name, type: last ? (asType && asType !== t ? undefined : t) : undefined }] });
    if (last && asType && asType.toLowerCase() !== t.toLowerCase() && t !== 'Reference') return [];
    cur = t === 'BackboneElement' || t === 'Element' ? path : t;
  }
  return out;
}

/**
 * Compiles one `|`-part of a SearchParameter expression for `resourceType`. Simple paths
 * (`Patient.name.family`, `(Observation.value as Quantity)`, `Observation.subject.where(resolve() is
 * Patient)`) run on a direct JSON walker typed by the R4 model (fast); anything else falls back to
 * the fhirpath engine, compiled once. `relative` compiles a composite component expression.
 */
export function compilePath(expression: string, resourceType: string, relative = false): PathEvaluator {
  let expr = expression.trim();
  let refType: string | undefined;
  const resolveWhere = /\.where\(resolve\(\) is ([A-Za-z]+)\)/g;
  const m1 = [...expr.matchAll(resolveWhere)];
  if (m1.length === 1) refType = m1[0][1];
  expr = expr.replace(resolveWhere, '');
  let asType: string | undefined;
  let core = expr;
  let m: RegExpExecArray | null;
  if ((m = /^\((.+?)\s+as\s+([A-Za-z]+)\)$/.exec(core))) [core, asType] = [m[1], m[2]];
  else if ((m = /^(.+?)\s+as\s+([A-Za-z]+)$/.exec(core))) [core, asType] = [m[1], m[2]];
  else if ((m = /^(.+)\.(?:as|ofType)\(([A-Za-z]+)\)$/.exec(core))) [core, asType] = [m[1], m[2]];
  let evaluator: PathEvaluator | undefined;
  if (/^[A-Za-z]+(\.[a-z][A-Za-z0-9]*)*$/.test(core)) {
    const parts = core.split('.');
    const head = relative ? undefined : parts.shift();
    if (relative || head === resourceType || head === 'Resource' || head === 'DomainResource') {
      const steps = plan(parts, relative ? undefined : resourceType, asType);
      if (steps) {
        evaluator = (node: unknown) => {
          let values: TypedValue[] = [{ value: node }];
          for (const s of steps) {
            const next: TypedValue[] = [];
            for (const { key, type } of s.keys) {
              for (const v of children(values.map((x) => x.value), key)) next.push({ value: v, type });
            }
            values = next;
            if (values.length === 0) break;
          }
          return values;
        };
      }
    }
  }
  if (!evaluator) {
    const fn = fhirpath.compile(expr, r4Model as never, { resolveInternalTypes: true } as never) as unknown as (r: unknown) => unknown[];
    evaluator = (node: unknown) => {
      try {
        return fn(node).map((value) => ({ value }));
      } catch {
        return [];
      }
    };
  }
  if (refType) evaluator.refType = refType;
  return evaluator;
}
