import { diceBloom, type BloomFilter } from '../tokens/bloom';
import type { DecodedTokens, ExactTokenName } from '../tokens/linkage-tokens';
import { F, FEATURES, MISSING, type Comparison } from './features';

const CLOSE = 0.8;
const SIMILAR = 0.6;

function diceLevel(a: BloomFilter, b: BloomFilter): number {
  const d = diceBloom(a, b);
  if (Number.isNaN(d)) return MISSING;
  if (d >= 0.999999) return 0;
  return d >= CLOSE ? 1 : d >= SIMILAR ? 2 : 3;
}

function codeLevel(a: BloomFilter, b: BloomFilter, near: number): number {
  const d = diceBloom(a, b);
  if (Number.isNaN(d)) return MISSING;
  if (d >= 0.999999) return 0;
  return d >= near ? 1 : 2;
}

function exactEq(a: DecodedTokens, b: DecodedTokens, name: ExactTokenName): number {
  const x = a.exact[name];
  const y = b.exact[name];
  if (!x || !y) return MISSING;
  return x === y ? 0 : 1;
}

function canonMeet(a: DecodedTokens, b: DecodedTokens): boolean {
  for (const c of a.canon) if (b.canon.has(c)) return true;
  return false;
}

/** Compares two token sets: exact-token agreement patterns plus Dice similarity of the Bloom encodings (token mode). */
export function compareTokens(a: DecodedTokens, b: DecodedTokens): Comparison {
  const levels = new Int8Array(FEATURES.length);
  const g = diceLevel(a.bloom.given, b.bloom.given);
  levels[F.given] = g <= 1 ? g : canonMeet(a, b) ? 1 : g;
  levels[F.family] = diceLevel(a.bloom.family, b.bloom.family);
  if (levels[F.given] === 3 && levels[F.family] === 3) {
    // Given and family name swapped between records.
    const x = diceBloom(a.bloom.given, b.bloom.family);
    const y = diceBloom(a.bloom.family, b.bloom.given);
    if (x >= CLOSE && y >= CLOSE) {
      levels[F.given] = 1;
      levels[F.family] = 1;
    }
  }
  const dob = codeLevel(a.bloom.dob, b.bloom.dob, 0.8);
  if (dob > 0 && ((a.alt.dob && a.alt.dob === b.exact.dob) || (b.alt.dob && b.alt.dob === a.exact.dob))) levels[F.dob] = 1;
  else levels[F.dob] = dob === 1 ? 2 : dob === 2 ? 3 : dob;
  levels[F.stno] = (() => {
    const d = diceBloom(a.bloom.stno, b.bloom.stno);
    return Number.isNaN(d) ? MISSING : d >= 0.999999 ? 0 : 1;
  })();
  levels[F.street] = diceLevel(a.bloom.street, b.bloom.street);
  levels[F.locality] = diceLevel(a.bloom.locality, b.bloom.locality);
  levels[F.city] = diceLevel(a.bloom.city, b.bloom.city);
  levels[F.postcode] = codeLevel(a.bloom.postcode, b.bloom.postcode, 0.7);
  levels[F.state] = exactEq(a, b, 'state');
  levels[F.nid] = codeLevel(a.bloom.nid, b.bloom.nid, 0.8);
  levels[F.sex] = exactEq(a, b, 'sex');
  levels[F.phone] = exactEq(a, b, 'phone');
  const sa = a.exact.sfx;
  const sb = b.exact.sfx;
  const idsDifferAtEnd = levels[F.nid]! > 0 && !!a.exact.nid_head && a.exact.nid_head === b.exact.nid_head;
  const dobConflict = levels[F.dob] === 3 && !!a.exact.yob && !!b.exact.yob && a.exact.yob !== b.exact.yob;
  // Tested lower Dice cut-offs for "conflict" (0.45, 0.35): they recover a few FEBRL typos but let twins through.
  const givenConflict = levels[F.given] === 3;
  return { levels, suffixConflict: !!sa && !!sb && sa !== sb, givenConflict, dobConflict, idsDifferAtEnd };
}
