/** Pure value helpers shared by extraction (index rows) and parsing (search values). */

/** Lower-cased, accent-stripped form used for string matching (http://hl7.org/fhir/R4/search.html#string). */
export function normalizeString(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim().replace(/\s+/g, ' ');
}

/** A half-open instant range [low, high) in ms since epoch (±Infinity for open ends). */
export interface DateRange {
  low: number;
  high: number;
}

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$/;

/**
 * The range a FHIR date/dateTime/instant covers given its precision
 * (http://hl7.org/fhir/R4/search.html#date): `2013` → all of 2013. Values without a time zone
 * are taken as UTC. Returns undefined when malformed.
 */
export function dateRange(value: string): DateRange | undefined {
  const m = DATE_RE.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  if (h !== undefined && mi === undefined) return undefined; // hour without minutes
  const year = Number(y);
  const month = mo ? Number(mo) : 1;
  const day = d ? Number(d) : 1;
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const hour = h ? Number(h) : 0;
  const minute = mi ? Number(mi) : 0;
  const second = s ? Number(s) : 0;
  if (hour > 24 || minute > 59 || second > 60) return undefined;
  const ms = frac ? Number(`0.${frac}`) * 1000 : 0;
  let offset = 0;
  if (tz && tz !== 'Z') {
    const sign = tz[0] === '-' ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  const low = Date.UTC(year, month - 1, day, hour, minute, second, Math.floor(ms)) - offset;
  if (Number.isNaN(low)) return undefined;
  if (d && new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return undefined; // 2021-02-30
  let high: number;
  if (!mo) high = Date.UTC(year + 1, 0, 1) - offset;
  else if (!d) high = Date.UTC(year, month, 1) - offset;
  else if (!h) high = Date.UTC(year, month - 1, day + 1) - offset;
  else if (!s) high = low + 60_000;
  else if (!frac) high = low + 1000;
  else high = low + Math.max(1, Math.round(10 ** (3 - Math.min(frac.length, 3))));
  return { low, high };
}

/** An ISO string for a range bound (±infinity as Postgres spells it). */
export function instantText(ms: number): string {
  if (ms === Infinity) return 'infinity';
  if (ms === -Infinity) return '-infinity';
  return new Date(ms).toISOString();
}

/** A decimal range [low, high) implied by the significant figures of a search number (http://hl7.org/fhir/R4/search.html#number). */
export interface NumberRange {
  /** The value as Postgres numeric text. */
  value: string;
  /** Half a unit of the last significant digit (numeric text, e.g. `5e-1`). */
  half: string;
}

/** Parses a FHIR decimal search value; the range is ±half a unit of its last significant digit. */
export function numberRange(value: string): NumberRange | undefined {
  const text = value.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  const [mantissa, expPart] = text.toLowerCase().split('e');
  const exp = expPart ? Number(expPart) : 0;
  const decimals = mantissa.includes('.') ? mantissa.split('.')[1].length : 0;
  // half a unit in the last place: 10^(exp - decimals) / 2
  const halfExp = exp - decimals;
  const half = `5e${halfExp - 1}`;
  const v = normalizeDecimal(text);
  return { value: v, half };
}

/** A decimal as a plain string Postgres' numeric accepts. */
export function normalizeDecimal(text: string): string {
  const n = text.trim();
  if (!/[eE]/.test(n)) return n.replace(/^\+/, '');
  return Number(n).toString();
}

/** Search prefixes (http://hl7.org/fhir/R4/search.html#prefix). */
export const PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'] as const;
export type Prefix = (typeof PREFIXES)[number];

/** Splits an optional two-letter prefix off a number/date/quantity value. */
export function splitPrefix(value: string): { prefix: Prefix; rest: string } {
  const p = value.slice(0, 2) as Prefix;
  if (PREFIXES.includes(p) && value.length > 2 && !/^[a-z]/.test(value.slice(2, 3))) return { prefix: p, rest: value.slice(2) };
  return { prefix: 'eq', rest: value };
}

/** Splits a search value on unescaped `sep`, unescaping `\,` `\|` `\$` `\\` (http://hl7.org/fhir/R4/search.html#escaping). */
export function splitEscaped(value: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && i + 1 < value.length && ',|$\\'.includes(value[i + 1])) {
      cur += c + value[i + 1];
      i++;
    } else if (c === sep) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Removes search escapes from one already-split part. */
export function unescapeValue(value: string): string {
  return value.replace(/\\([,|$\\])/g, '$1');
}
