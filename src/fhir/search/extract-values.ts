import type { TypedValue } from './path-evaluator';
import type { ParamType } from './index-tables';
import { dateRange, instantText, normalizeString } from './values';
import { canonicalQuantity } from './ucum';

/** One index row without resource_type/resource_id/param. */
export type Row = Record<string, unknown>;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const MAX = 1000;

/** Guesses a FHIR type from a JSON value's shape (for values found by full FHIRPath). */
function shapeType(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'decimal';
  if (typeof v === 'boolean') return 'boolean';
  if (!isObj(v)) return 'unknown';
  if ('reference' in v || ('identifier' in v && 'display' in v)) return 'Reference';
  if ('coding' in v) return 'CodeableConcept';
  if ('family' in v || 'given' in v) return 'HumanName';
  if ('line' in v || 'city' in v || 'postalCode' in v) return 'Address';
  if ('start' in v || 'end' in v) return 'Period';
  if ('low' in v || 'high' in v) return 'Range';
  if ('value' in v && ('unit' in v || 'code' in v || 'currency' in v || typeof v.value === 'number')) return 'currency' in v ? 'Money' : 'Quantity';
  if ('value' in v && 'system' in v && ['phone', 'fax', 'email', 'pager', 'url', 'sms', 'other'].includes(String(v.system))) return 'ContactPoint';
  if ('value' in v) return 'Identifier';
  if ('code' in v || 'system' in v) return 'Coding';
  if ('event' in v || 'repeat' in v) return 'Timing';
  return 'unknown';
}

function stringRows(v: unknown, type: string, out: Row[]): void {
  const push = (s: unknown) => {
    if (typeof s === 'string' && s.trim()) out.push({ value_norm: normalizeString(s).slice(0, MAX), value_exact: s.slice(0, MAX) });
  };
  if (typeof v === 'string') return push(v);
  if (!isObj(v)) return;
  if (type === 'HumanName') {
    push(v.family);
    for (const g of (v.given as unknown[]) ?? []) push(g);
    for (const g of (v.prefix as unknown[]) ?? []) push(g);
    for (const g of (v.suffix as unknown[]) ?? []) push(g);
    push(v.text);
  } else if (type === 'Address') {
    for (const l of (v.line as unknown[]) ?? []) push(l);
    for (const k of ['city', 'district', 'state', 'postalCode', 'country', 'text']) push(v[k]);
  }
}

function codingRow(c: Obj, extraText?: string): Row {
  const text = str(c.display) ?? extraText;
  return { system: str(c.system) ?? null, code: str(c.code) ?? null, text_norm: text ? normalizeString(text).slice(0, MAX) : null };
}

function tokenRows(v: unknown, type: string, out: Row[]): void {
  if (typeof v === 'boolean') return void out.push({ code: String(v), system: null });
  if (typeof v === 'string' || typeof v === 'number') return void out.push({ code: String(v).slice(0, MAX), system: null });
  if (!isObj(v)) return;
  if (type === 'CodeableConcept') {
    const text = str(v.text);
    const codings = ((v.coding as Obj[]) ?? []).filter(isObj);
    for (const c of codings) out.push(codingRow(c, text));
    if (text && codings.length === 0) out.push({ system: null, code: null, text_norm: normalizeString(text).slice(0, MAX) });
    else if (text) out.push({ system: null, code: null, text_norm: normalizeString(text).slice(0, MAX) });
  } else if (type === 'Coding') out.push(codingRow(v));
  else if (type === 'Identifier') {
    const typeCoding = ((isObj(v.type) ? (v.type.coding as Obj[]) : undefined) ?? [])[0];
    const text = isObj(v.type) ? str(v.type.text) : undefined;
    out.push({
      system: str(v.system) ?? null,
      code: str(v.value)?.slice(0, MAX) ?? null,
      text_norm: text ? normalizeString(text) : null,
      type_system: typeCoding ? str(typeCoding.system) ?? null : null,
      type_code: typeCoding ? str(typeCoding.code) ?? null : null,
    });
  } else if (type === 'ContactPoint') {
    if (str(v.value)) out.push({ system: null, code: str(v.value)!.slice(0, MAX) });
  } else if ('code' in v || 'system' in v) out.push(codingRow(v));
}

function dateRows(v: unknown, type: string, out: Row[]): void {
  const range = (s: unknown) => (typeof s === 'string' ? dateRange(s) : undefined);
  if (typeof v === 'string') {
    const r = range(v);
    if (r) out.push({ low: instantText(r.low), high: instantText(r.high) });
    return;
  }
  if (!isObj(v)) return;
  if (type === 'Period' || 'start' in v || 'end' in v) {
    const s = range(v.start);
    const e = range(v.end);
    if (s || e) {
      // an inverted (invalid) period is indexed as the span it touches, so low <= high always holds
      const a = s ? s.low : -Infinity;
      const b = e ? e.high : Infinity;
      out.push({ low: instantText(Math.min(a, b)), high: instantText(Math.max(a, b)) });
    }
  } else if (type === 'Timing') {
    const events = ((v.event as unknown[]) ?? []).map(range).filter((r) => r !== undefined);
    if (events.length) out.push({ low: instantText(Math.min(...events.map((r) => r.low))), high: instantText(Math.max(...events.map((r) => r.high))) });
    const bounds = isObj(v.repeat) ? v.repeat.boundsPeriod : undefined;
    if (isObj(bounds)) dateRows(bounds, 'Period', out);
  }
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function numberRows(v: unknown, type: string, out: Row[]): void {
  if (typeof v === 'number') return void out.push({ low: v, high: v });
  if (isObj(v) && (type === 'Range' || 'low' in v || 'high' in v)) {
    const lo = isObj(v.low) ? num(v.low.value) : undefined;
    const hi = isObj(v.high) ? num(v.high.value) : undefined;
    if (lo !== undefined || hi !== undefined) out.push({ low: lo ?? null, high: hi ?? null });
  }
}

function quantityRows(v: unknown, type: string, out: Row[]): void {
  if (!isObj(v)) return;
  if (type === 'Range' || (!('value' in v) && ('low' in v || 'high' in v))) {
    const lo = isObj(v.low) ? v.low : undefined;
    const hi = isObj(v.high) ? v.high : undefined;
    const unitOf = lo ?? hi ?? {};
    const row = quantityRow(num(lo?.value) ?? null, num(hi?.value) ?? null, unitOf);
    if (row) out.push(row);
    return;
  }
  const value = num(v.value);
  if (value === undefined) return;
  if (type === 'Money' || 'currency' in v) {
    out.push({ low: value, high: value, system: 'urn:iso:std:iso:4217', code: str(v.currency) ?? null, unit: str(v.currency) ?? null });
    return;
  }
  const row = quantityRow(value, value, v);
  if (row) out.push(row);
}

function quantityRow(low: number | null, high: number | null, u: Obj): Row | undefined {
  if (low === null && high === null) return undefined;
  const system = str(u.system) ?? null;
  const code = str(u.code) ?? null;
  const row: Row = { low, high, system, code, unit: str(u.unit) ?? null };
  if (system === 'http://unitsofmeasure.org' && code) {
    const cl = low === null ? undefined : canonicalQuantity(low, code);
    const ch = high === null ? undefined : canonicalQuantity(high, code);
    const c = cl ?? ch;
    if (c) Object.assign(row, { canon_low: cl?.value ?? null, canon_high: ch?.value ?? null, canon_code: c.code });
  }
  return row;
}

/** Parses `Type/id`, `Type/id/_history/v` or an absolute URL ending so. */
export function parseReference(ref: string): { type?: string; id?: string; version?: string; url?: string } {
  const m = /^(?:(https?:\/\/.+)\/)?([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/([A-Za-z0-9\-.]{1,64}))?$/.exec(ref);
  if (m) return { type: m[2], id: m[3], version: m[4], url: m[1] ? ref : undefined };
  return { url: ref };
}

function referenceRows(v: unknown, type: string, refType: string | undefined, out: Row[], idRows: Row[]): void {
  if (typeof v === 'string') {
    // canonical / uri reference: url, optional |version
    const [url, version] = v.split('|');
    const parsed = parseReference(url);
    out.push({ target_type: parsed.type ?? null, target_id: parsed.id ?? null, target_version: version ?? null, url: url.slice(0, MAX) });
    return;
  }
  if (!isObj(v)) return;
  const ref = str(v.reference);
  if (ref && !ref.startsWith('#')) {
    const p = parseReference(ref);
    if (!refType || p.type === refType || (!p.type && str(v.type) === refType)) {
      out.push({ target_type: p.type ?? str(v.type) ?? null, target_id: p.id ?? null, target_version: p.version ?? null, url: p.url?.slice(0, MAX) ?? null });
    }
  }
  if (isObj(v.identifier)) tokenRows(v.identifier, 'Identifier', idRows);
}

/** Rows for `values` of a parameter of `type` (by table). `idRows` receives Reference.identifier tokens. */
export function valueRows(type: ParamType, values: TypedValue[], refType: string | undefined, out: Row[], idRows: Row[]): void {
  for (const tv of values) {
    const t = tv.type ?? shapeType(tv.value);
    switch (type) {
      case 'string': stringRows(tv.value, t, out); break;
      case 'token': tokenRows(tv.value, t, out); break;
      case 'date': dateRows(tv.value, t, out); break;
      case 'number': numberRows(tv.value, t, out); break;
      case 'quantity': quantityRows(tv.value, t, out); break;
      case 'reference': referenceRows(tv.value, t, refType, out, idRows); break;
      case 'uri': if (typeof tv.value === 'string') out.push({ value: tv.value.slice(0, MAX) }); break;
      case 'special': {
        const p = tv.value as Obj;
        if (isObj(p) && num(p.latitude) !== undefined && num(p.longitude) !== undefined) out.push({ lat: p.latitude, lng: p.longitude });
        break;
      }
      default: break;
    }
  }
}
