import type { ElementDefinition } from 'fhir/r4';
import type { ElementNode } from './element-tree';
import { describeValue, validationIssue } from './issues';
import { deepEqual, fixedOrPattern, matchesPattern } from './pattern-match';
import { allowedTargetTypes, referencedType } from './reference-targets';
import { expandValueSet, type ValueSetCodes } from './terminology';
import type { Occurrence, WalkContext } from './walk-context';

/** Human name of an element for diagnostics: its path, or its id inside a slice ("Patient.identifier:mrn.value"). */
function elementLabel(def: ElementDefinition): string {
  return def.id?.includes(':') ? def.id : def.path;
}

/**
 * Layer 2 rules of one element definition against all its occurrences under one parent: cardinality,
 * allowed choice types, fixed/pattern values, required bindings and reference target types
 * (http://hl7.org/fhir/R4/elementdefinition.html).
 */
export function checkElement(node: ElementNode, occurrences: Occurrence[], parentLocation: string, ctx: WalkContext): void {
  const def = node.def;
  const min = def.min ?? 0;
  if (!occurrences.length && min === 0) return;
  const applies = (...keys: string[]) => !node.changed || keys.some((k) => node.changed!.has(k));
  const checkCardinality = applies('min', 'max');
  const present = occurrences.filter((o) => !o.disallowedType);
  if (checkCardinality && present.length < min) {
    ctx.issues.push(
      validationIssue('required', `Missing required element: ${elementLabel(def)} expects at least ${min} but got ${present.length}${ctx.suffix}`, `${parentLocation}.${node.name}`),
    );
  }
  if (checkCardinality && def.max && def.max !== '*' && present.length > Number(def.max)) {
    ctx.issues.push(
      validationIssue('structure', `Too many: ${elementLabel(def)} allows at most ${def.max} but got ${present.length}${ctx.suffix}`, present[Number(def.max)].location),
    );
  }
  const fixed = node.changed && ![...node.changed].some((k) => /^(fixed|pattern)[A-Z]/.test(k)) ? undefined : cachedFixedOrPattern(def);
  const requiredVs = applies('binding') && def.binding?.strength === 'required' && def.binding.valueSet ? def.binding.valueSet : undefined;
  const checkTypes = applies('type');
  for (const occ of occurrences) {
    if (occ.disallowedType) {
      if (!checkTypes) continue;
      const allowed = (def.type ?? []).map((t) => t.code).join(', ');
      ctx.issues.push(validationIssue('structure', `Type not allowed: ${elementLabel(def)} must be one of ${allowed} but got ${occ.disallowedType}${ctx.suffix}`, occ.location));
      continue;
    }
    if (fixed && occ.value !== undefined) {
      const ok = fixed.kind === 'fixed' ? deepEqual(occ.value, fixed.value) : matchesPattern(occ.value, fixed.value);
      if (!ok) {
        ctx.issues.push(
          validationIssue('value', `Value does not match ${fixed.key}: expected ${fixed.kind === 'fixed' ? '' : 'a value containing '}${JSON.stringify(fixed.value)} but got ${JSON.stringify(occ.value)}${ctx.suffix}`, occ.location),
        );
      }
    }
    if (requiredVs && occ.value !== undefined) checkBinding(requiredVs, occ, ctx);
    if (checkTypes && occ.typeCode === 'Reference' && occ.value && typeof occ.value === 'object') checkReference(def, occ, ctx);
  }
}

const fixedCache = new WeakMap<ElementDefinition, ReturnType<typeof fixedOrPattern> | null>();

/** fixed[x]/pattern[x] of a definition, looked up once per (immutable) definition. */
function cachedFixedOrPattern(def: ElementDefinition): ReturnType<typeof fixedOrPattern> {
  let hit = fixedCache.get(def);
  if (hit === undefined) {
    hit = fixedOrPattern(def) ?? null;
    fixedCache.set(def, hit);
  }
  return hit ?? undefined;
}

function listCodes(vs: ValueSetCodes): string {
  const codes = [...vs.codes];
  return codes.length > 12 ? `${codes.slice(0, 12).join(', ')}, ...` : codes.join(', ');
}

/** Required binding check for code, Coding, CodeableConcept (and string/uri) occurrences. */
function checkBinding(valueSet: string, occ: Occurrence, ctx: WalkContext): void {
  const vs = expandValueSet(valueSet);
  if (!vs) return; // not expandable offline: never reject because of it
  const bad = (got: string) =>
    ctx.issues.push(validationIssue('code-invalid', `Invalid code: expected a code from value set ${vs.url} (${listCodes(vs)}) but got ${got}${ctx.suffix}`, occ.location));
  const codingOk = (c: Record<string, unknown>) =>
    typeof c.code !== 'string' || (typeof c.system === 'string' ? vs.pairs.has(`${c.system}|${c.code}`) : vs.codes.has(c.code));
  const codingText = (c: Record<string, unknown>) => `${typeof c.system === 'string' ? `${c.system}|` : ''}${String(c.code)}`;
  switch (occ.typeCode) {
    case 'code':
    case 'string':
    case 'uri':
      if (typeof occ.value === 'string' && !vs.codes.has(occ.value)) bad(describeValue(occ.value));
      return;
    case 'Coding': {
      const c = occ.value as Record<string, unknown>;
      if (!codingOk(c)) bad(codingText(c));
      return;
    }
    case 'CodeableConcept': {
      const codings = ((occ.value as Record<string, unknown>).coding ?? []) as Record<string, unknown>[];
      const coded = Array.isArray(codings) ? codings.filter((c) => c && typeof c.code === 'string') : [];
      if (coded.length && !coded.some(codingOk)) bad(coded.map(codingText).join(', '));
      return;
    }
    default:
      return;
  }
}

/** Reference target type check against ElementDefinition.type.targetProfile. */
function checkReference(def: ElementDefinition, occ: Occurrence, ctx: WalkContext): void {
  const refType = (def.type ?? []).find((t) => t.code === 'Reference');
  const allowed = allowedTargetTypes(refType?.targetProfile, ctx.profileType);
  if (!allowed) return;
  const target = referencedType(occ.value as Record<string, unknown>, ctx.rootResource);
  if (!target || allowed.includes(target.type)) return;
  ctx.issues.push(
    validationIssue('structure', `Invalid reference target: ${elementLabel(def)} must reference ${allowed.join(' | ')} but got ${target.type} (${JSON.stringify(target.reference)})${ctx.suffix}`, occ.location),
  );
}
