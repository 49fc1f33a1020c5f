import type { NormalizedPerson } from '../person';
import { nicknameEquivalent } from '../normalize/nicknames';
import { F, FEATURES, MISSING, type Comparison } from './features';
import { editDistance, jaroWinkler } from './similarity';

const CLOSE = 0.92;
const SIMILAR = 0.8;

function textLevel(a: string, b: string): number {
  if (!a || !b) return MISSING;
  if (a === b) return 0;
  const s = jaroWinkler(a, b);
  return s >= CLOSE ? 1 : s >= SIMILAR ? 2 : 3;
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


/** Compares two normalised persons with fuzzy comparators (PHI mode). */
export function comparePhi(a: NormalizedPerson, b: NormalizedPerson): Comparison {
  const levels = new Int8Array(FEATURES.length);
  levels[F.given] = givenLevel(a, b);
  levels[F.family] = familyLevel(a, b);
  // Given and family name swapped between records.
  if (levels[F.given] === 3 && a.family && b.family && jaroWinkler(a.given, b.family) >= CLOSE && jaroWinkler(a.family, b.given) >= CLOSE) {
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
  const idsDifferAtEnd = levels[F.nid]! > 0 && a.nationalId.slice(0, -1) === b.nationalId.slice(0, -1);
  const g = levels[F.given]!;
  const givenConflict = g === 3 || (g === 2 && editDistance(a.given, b.given, 2) > 1);
  const dobConflict = levels[F.dob] === 3 && a.dob.slice(0, 4) !== b.dob.slice(0, 4);
  return { levels, suffixConflict: !!a.suffix && !!b.suffix && a.suffix !== b.suffix, givenConflict, dobConflict, idsDifferAtEnd };
}
