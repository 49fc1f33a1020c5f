/** How an ambiguous NN/NN/YYYY date is read first. */
export type DateOrder = 'dmy' | 'mdy';

/** A normalised date of birth: `value` is YYYYMMDD (digits kept even if the calendar date is invalid), `candidates` every plausible reading. */
export interface NormalizedDate {
  value: string;
  candidates: string[];
  /** YYYYDDMM when day and month can be swapped (both ≤ 12 and different), else ''. */
  transposed: string;
}

const EMPTY: NormalizedDate = { value: '', candidates: [], transposed: '' };

const pad = (n: number) => String(n).padStart(2, '0');

/** True for a real calendar date. */
export function isValidDate(y: number, m: number, d: number): boolean {
  if (!(y >= 1000 && y <= 9999 && m >= 1 && m <= 12 && d >= 1)) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

/** The day/month transposition of a YYYYMMDD string, or '' when it is not a different valid reading. */
export function transposeDate(v: string): string {
  if (!/^\d{8}$/.test(v)) return '';
  const m = v.slice(4, 6);
  const d = v.slice(6, 8);
  if (m === d || Number(d) > 12 || Number(d) < 1) return '';
  return v.slice(0, 4) + d + m;
}

/**
 * Parses a birth date in common formats: YYYYMMDD, YYYY-MM-DD (also with '/' or '.'), DD/MM/YYYY and
 * MM/DD/YYYY (ambiguous when both parts ≤ 12: both readings become candidates, `order` picks the first),
 * and FHIR partial dates (YYYY, YYYY-MM: kept as given, no candidates).
 */
export function normalizeDate(raw: string | undefined | null, order: DateOrder = 'dmy'): NormalizedDate {
  const s = (raw ?? '').trim();
  if (!s) return EMPTY;
  let m: RegExpMatchArray | null;
  const build = (list: Array<[number, number, number]>): NormalizedDate => {
    const cands = [...new Set(list.map(([y, mo, d]) => `${y}${pad(mo)}${pad(d)}`))];
    const value = cands[0] ?? '';
    return { value, candidates: cands, transposed: transposeDate(value) };
  };
  if ((m = s.match(/^(\d{4})(\d{2})(\d{2})$/))) {
    // Keep the digits even when the date is not a valid calendar date: typos still compare digit-wise.
    return { value: s, candidates: [s], transposed: transposeDate(s) };
  }
  if ((m = s.match(/^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$/))) {
    return build([[Number(m[1]), Number(m[2]), Number(m[3])]]);
  }
  if ((m = s.match(/^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/))) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    const y = Number(m[3]);
    const dmy: [number, number, number] = [y, b, a];
    const mdy: [number, number, number] = [y, a, b];
    const readings = (order === 'dmy' ? [dmy, mdy] : [mdy, dmy]).filter(([yy, mo, d]) => isValidDate(yy, mo, d));
    if (readings.length === 0) return EMPTY;
    return build(readings);
  }
  if ((m = s.match(/^(\d{4})(?:-(\d{2}))?$/))) {
    const v = m[1]! + (m[2] ?? '');
    return { value: v, candidates: [v], transposed: '' };
  }
  return EMPTY;
}
