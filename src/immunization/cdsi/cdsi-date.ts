/**
 * CDSi date arithmetic on calendar days (CDSi Logic Specification, "Calculating Dates", rules CALCDT-1..5:
 * https://www.cdc.gov/iis/cdsi/index.html). Dates are whole UTC days since 1970-01-01 so comparisons are integer compares.
 */

/** A calendar date as whole days since 1970-01-01 (UTC). */
export type DayNumber = number;

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})/;

/** Parses 'YYYY-MM-DD' (any trailing time part is ignored); returns undefined for malformed or impossible dates. */
export function parseDay(text: string | undefined | null): DayNumber | undefined {
  if (!text) return undefined;
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return Date.UTC(y, mo - 1, d) / MS_PER_DAY;
}

/** Formats a day number as 'YYYY-MM-DD'. */
export function formatDay(day: DayNumber): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Number of days in month `month` (1-12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Parses a CDSi 'MM/DD/YYYY' or 'YYYYMMDD' data date (e.g. immunity birth date, seasonal start). */
export function parseDataDate(text: string | undefined | null): DayNumber | undefined {
  if (!text) return undefined;
  const t = text.trim();
  let m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  if (m) return parseDay(`${m[3]}-${m[1].padStart(2, '0')}-${m[2].padStart(2, '0')}`);
  m = /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  if (m) return parseDay(`${m[1]}-${m[2]}-${m[3]}`);
  return parseDay(t);
}

/** One signed term of a CDSi duration, e.g. `- 4 days`. */
export interface DurationTerm {
  amount: number;
  unit: 'year' | 'month' | 'week' | 'day';
}

const TERM = /([+-])?\s*(\d+)\s*(years?|months?|weeks?|days?)/gi;

/**
 * Parses a CDSi duration such as "6 months - 4 days", "3 months + 4 weeks", "4 years", "0 days".
 * Returns undefined for empty text (the data uses "" for "not specified"); throws on unparseable text.
 */
export function parseDuration(text: string | undefined | null): DurationTerm[] | undefined {
  if (text === undefined || text === null) return undefined;
  if (durationCache.has(text)) return durationCache.get(text);
  const parsed = parseDurationUncached(text);
  durationCache.set(text, parsed);
  return parsed;
}

const durationCache = new Map<string, DurationTerm[] | undefined>();

function parseDurationUncached(text: string): DurationTerm[] | undefined {
  const t = text.trim();
  if (t === '' || t.toLowerCase() === 'n/a') return undefined;
  const terms: DurationTerm[] = [];
  let consumed = '';
  for (const m of t.matchAll(TERM)) {
    const sign = m[1] === '-' ? -1 : 1;
    const unit = m[3].toLowerCase().replace(/s$/, '') as DurationTerm['unit'];
    terms.push({ amount: sign * Number(m[2]), unit });
    consumed += m[0];
  }
  if (terms.length === 0 || consumed.replace(/\s/g, '').length !== t.replace(/\s/g, '').length) {
    throw new Error(`Unparseable CDSi duration "${text}"`);
  }
  return terms;
}

/** Moves year/month by `months`, keeping the day; an impossible day becomes the 1st of the next month (CALCDT-5). */
function addMonths(day: DayNumber, months: number): DayNumber {
  const d = new Date(day * MS_PER_DAY);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month0 = total - year * 12;
  const dom = d.getUTCDate();
  if (dom > daysInMonth(year, month0 + 1)) return Date.UTC(year, month0 + 1, 1) / MS_PER_DAY;
  return Date.UTC(year, month0, dom) / MS_PER_DAY;
}

/**
 * Adds a CDSi duration to a date, term by term in the written order: years adjust only the year (CALCDT-1),
 * months only the month (CALCDT-2), weeks are 7 days and days are days (CALCDT-3), impossible dates roll to the
 * first of the next month (CALCDT-5).
 */
export function addDuration(day: DayNumber, duration: DurationTerm[] | string): DayNumber {
  const terms = typeof duration === 'string' ? parseDuration(duration) ?? [] : duration;
  let out = day;
  for (const term of terms) {
    if (term.unit === 'year') out = addMonths(out, term.amount * 12);
    else if (term.unit === 'month') out = addMonths(out, term.amount);
    else if (term.unit === 'week') out += term.amount * 7;
    else out += term.amount;
  }
  return out;
}

/** Adds a duration given as data text; undefined when the text is empty ("not specified"). */
export function addDurationText(day: DayNumber, text: string | undefined | null): DayNumber | undefined {
  if (!text) return undefined;
  const key = `${day}|${text}`;
  const cached = sumCache.get(key);
  if (cached !== undefined || sumCache.has(key)) return cached;
  const terms = parseDuration(text);
  const out = terms === undefined ? undefined : addDuration(day, terms);
  if (sumCache.size > 100_000) sumCache.clear();
  sumCache.set(key, out);
  return out;
}

/** Memo of date + duration text (pure, bounded): the same birth dates and ages recur across series and doses. */
const sumCache = new Map<string, DayNumber | undefined>();
