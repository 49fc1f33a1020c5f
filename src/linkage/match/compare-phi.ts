import type { NormalizedPerson } from '../person';
import { nicknameEquivalent } from '../normalize/nicknames';
import { F, FEATURES, MISSING, type Comparison } from './features';
import { editDistance, jaroWinkler } from './similarity';

const CLOSE = 0.92;
const SIMILAR = 0.8;

/**
 * Minimum age gap between a parent and a child, in years (the demographic convention: fertility ages start at 15).
 * Two dates of birth closer than this cannot be a parent and a child, so the parent/child rules do not apply.
 */
export const GENERATION_YEARS = 15;

function textLevel(a: string, b: string): number {
  if (!a || !b) return MISSING;
  if (a === b) return 0;
  const s = jaroWinkler(a, b);
  return s >= CLOSE ? 1 : s >= SIMILAR ? 2 : 3;
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let p = 0;
  while (p < n && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  return p;
}

/**
 * True when two different spellings of a name are explained by clerical errors rather than being two names: one
 * edit apart (on names shorter than 4 letters only when Jaro–Winkler still rates them similar: Mia/Miu, Rew/Drew, but
 * not Ava/Eva or Kim/Tim, which are different names), or two edits apart on names of 5+ letters sharing their first
 * four (Lachlan/Lachlq: keying errors in the tail of a long name).
 */
export function nameTypo(x: string, y: string): boolean {
  if (!x || !y || x === y) return x === y && !!x;
  const short = Math.min(x.length, y.length);
  const d = editDistance(x, y, 2);
  if (d <= 1) return short >= 4 || jaroWinkler(x, y) >= SIMILAR;
  return d === 2 && short >= 5 && commonPrefix(x, y) >= 4;
}

/** Name close enough to count as the same spelling with at most a typo (used when matching swapped name fields). */
function nameAlike(x: string, y: string): boolean {
  return !!x && !!y && (x === y || jaroWinkler(x, y) >= CLOSE || nameTypo(x, y));
}

/** Given name with its middle names, compacted ("de la cruz" → "delacruz"), as a family name would be. */
const fullGiven = (p: NormalizedPerson) => (p.middle ? p.given + p.middle.replace(/ /g, '') : p.given);

/**
 * Given and family name swapped between the two records (FEBRL and real registration forms both do this), with at
 * most a typo on one side and Jaro–Winkler ≥ 0.8 on the other: a's given ~ b's family and a's family ~ b's given (or
 * b's given and middle names written together, as a multi-word family name entered as given names would be).
 */
export function namesSwapped(a: NormalizedPerson, b: NormalizedPerson): boolean {
  if (!a.given || !b.given || !a.family || !b.family) return false;
  // How well p's given name(s) fit q's family name: 2 alike (equal, close or a typo), 1 similar, 0 not.
  const fit = (x: string, y: string) => (nameAlike(x, y) ? 2 : jaroWinkler(x, y) >= SIMILAR ? 1 : 0);
  const one = (p: NormalizedPerson, q: NormalizedPerson) => {
    const g = Math.max(fit(p.given, q.family), fit(fullGiven(p), q.family));
    const f = Math.max(fit(p.family, q.given), fit(p.family, fullGiven(q)));
    // Both crossed pairs similar and at least one alike (two similar-but-different names swapped is not enough).
    return g > 0 && f > 0 && g + f >= 3;
  };
  return one(a, b) || one(b, a);
}

function givenLevel(a: NormalizedPerson, b: NormalizedPerson): number {
  const x = a.given;
  const y = b.given;
  if (!x || !y) return MISSING;
  if (x === y) return 0;
  if (nicknameEquivalent(x, y)) return 1;
  if ((x.length === 1 || y.length === 1) && x[0] === y[0]) return 1;
  const s = jaroWinkler(x, y);
  if (s >= CLOSE) return 1;
  if (s >= SIMILAR) return 2;
  // Given name recorded as a middle name on the other side.
  if ((a.middle && a.middle.split(' ').includes(y)) || (b.middle && b.middle.split(' ').includes(x))) return 1;
  return 3;
}

function familyLevel(a: NormalizedPerson, b: NormalizedPerson): number {
  const l = textLevel(a.family, b.family);
  if (l > 1 && a.familyPhonetic && a.familyPhonetic === b.familyPhonetic) return 1;
  return l;
}

/** Date level: exact, day/month transposed (or both readings of an ambiguous date), one digit/adjacent swap off, different. */
export function dobLevel(a: NormalizedPerson, b: NormalizedPerson): number {
  if (!a.dob || !b.dob) return MISSING;
  if (a.dob === b.dob) return 0;
  if ((a.dobTransposed && a.dobTransposed === b.dob) || a.dobCandidates.some((c) => b.dobCandidates.includes(c))) return 1;
  if (a.dob.length === b.dob.length && editDistance(a.dob, b.dob, 1) <= 1) return 2;
  return 3;
}

function codeLevel(a: string, b: string): number {
  if (!a || !b) return MISSING;
  if (a === b) return 0;
  return editDistance(a, b, 1) <= 1 ? 1 : 2;
}

const eq = (a: string, b: string) => (!a || !b ? MISSING : a === b ? 0 : 1);

/**
 * National ids that look like two consecutively issued numbers (twins, siblings registered together): they differ
 * only in the last character, or, all digits, by less than 10 (…19 / …20).
 */
export function idsSequential(x: string, y: string): boolean {
  if (!x || !y || x === y) return false;
  if (x.length === y.length && x.slice(0, -1) === y.slice(0, -1)) return true;
  if (/^\d+$/.test(x) && /^\d+$/.test(y) && x.length === y.length && x.length <= 15) return Math.abs(Number(x) - Number(y)) < 10;
  return false;
}

/** Compares two normalised persons with fuzzy comparators (PHI mode). */
export function comparePhi(a: NormalizedPerson, b: NormalizedPerson): Comparison {
  const levels = new Int8Array(FEATURES.length);
  levels[F.given] = givenLevel(a, b);
  levels[F.family] = familyLevel(a, b);
  // Given and family name swapped between records.
  const swapped = levels[F.given]! >= 2 && levels[F.family] !== 0 && namesSwapped(a, b);
  if (swapped) {
    levels[F.given] = 1;
    levels[F.family] = 1;
  }
  levels[F.dob] = dobLevel(a, b);
  levels[F.stno] = eq(a.streetNumber, b.streetNumber);
  levels[F.street] = textLevel(a.street, b.street);
  levels[F.locality] = textLevel(a.locality, b.locality);
  levels[F.city] = textLevel(a.city, b.city);
  levels[F.postcode] = codeLevel(a.postcode, b.postcode);
  levels[F.state] = eq(a.state, b.state);
  levels[F.nid] = codeLevel(a.nationalId, b.nationalId);
  levels[F.sex] = eq(a.sex, b.sex);
  levels[F.phone] = eq(a.phone, b.phone);
  const sequential = idsSequential(a.nationalId, b.nationalId);
  // Two keying errors in an id (a digit and a transposition) are still the same id unless the two numbers look consecutively issued.
  const idsTypo = levels[F.nid] === 2 && !sequential && a.nationalId.length === b.nationalId.length && editDistance(a.nationalId, b.nationalId, 2) <= 2;
  const g = levels[F.given]!;
  // Genuinely different given names: not equal, nickname-equivalent, an initial, a middle name or swapped (level ≤ 1),
  // and not explained by keying errors.
  const givenConflict = g >= 2 && !nameTypo(a.given, b.given);
  const yearGap = a.dob.length >= 4 && b.dob.length >= 4 ? Math.abs(Number(a.dob.slice(0, 4)) - Number(b.dob.slice(0, 4))) : NaN;
  const dobConflict = levels[F.dob] === 3 && yearGap > 0;
  const generationGap = dobConflict && yearGap >= GENERATION_YEARS;
  return {
    levels,
    suffixConflict: !!a.suffix && !!b.suffix && a.suffix !== b.suffix,
    givenConflict,
    dobConflict,
    generationGap,
    idsDifferAtEnd: sequential,
    idsTypo,
  };
}
