import { FOLDED_BITS, bloomFromString, type BloomFilter } from '../tokens/bloom';
import type { ExactTokenName, LinkageTokens } from '../tokens/linkage-tokens';

/** Exact tokens used as blocking keys (their transposed-DOB variants share the key, so transpositions meet). */
const BLOCKING_TOKENS: ExactTokenName[] = ['lfi_sex_dob', 'ph_sex_dob', 'lf_dob_pc3', 'nid_dob', 'canon_l_dob', 'f_dob_pc', 'l_stno_pc', 'f_stno_pc', 'nid', 'dob', 'phone'];

/**
 * MinHash-LSH over the bits of the name filters, each field's bits hashed apart. (Hashing the union of the two filters
 * instead would let swapped names meet here, but the union is so dense that random pairs share bands: ~6× the
 * candidates on FEBRL. Swapped names meet through the DOB, id and address tokens.)
 */
const LSH_FAMILIES = [
  { name: 'n', fields: ['given', 'family'] as const, bands: 16, rows: 5 },
];

let table: Uint32Array | undefined;

/** Fixed pseudo-random hash of each bit position (the Bloom filters are already keyed, so it need not be secret). */
function bitHashes(): Uint32Array {
  if (table) return table;
  let s = 0x9e3779b9;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  table = new Uint32Array(FOLDED_BITS * 4);
  for (let i = 0; i < table.length; i++) table[i] = rnd();
  return table;
}

/**
 * MinHash signature by one-permutation hashing with densification (Li, Owen & Zhang 2012; Shrivastava & Li 2014):
 * one pass over the set bits, each bit hashed once into one of `n` bins keeping the minimum; empty bins borrow the
 * next non-empty bin's value. Costs O(bits) instead of O(bits × n).
 */
function minhashSignature(filters: BloomFilter[], n: number): Uint32Array {
  const t = bitHashes();
  const sig = new Uint32Array(n).fill(0xffffffff);
  let any = false;
  for (let fi = 0; fi < filters.length; fi++) {
    const bf = filters[fi]!;
    for (let w = 0; w < bf.length; w++) {
      let v = bf[w]!;
      while (v) {
        const b = 31 - Math.clz32(v & -v);
        v &= v - 1;
        const h = t[fi * FOLDED_BITS + w * 32 + b]!;
        const bin = h % n;
        const val = Math.imul(h, 0x85ebca6b) >>> 0;
        if (val < sig[bin]!) sig[bin] = val;
        any = true;
      }
    }
  }
  if (!any) return sig;
  for (let i = 0; i < n; i++) {
    if (sig[i] !== 0xffffffff) continue;
    let j = (i + 1) % n;
    let hop = 1;
    while (sig[j] === 0xffffffff) {
      j = (j + 1) % n;
      hop++;
    }
    sig[i] = (Math.imul(sig[j]! ^ hop, 0x9e3779b1) >>> 0) | 0; // borrowed, made distinct per hop distance
    sig[i] = sig[i]! >>> 0;
  }
  return sig;
}

/** MinHash-LSH band keys of a set of Bloom filters (empty when too few bits are set to be meaningful). */
function lshKeys(family: (typeof LSH_FAMILIES)[number], tokens: LinkageTokens): string[] {
  const present = family.fields.filter((f) => tokens.bloom[f]);
  if (present.length < Math.min(2, family.fields.length)) return [];
  const filters = family.fields.map((f) => bloomFromString(tokens.bloom[f] ?? ''));
  const sig = minhashSignature(filters, family.bands * family.rows);
  const keys: string[] = [];
  for (let band = 0; band < family.bands; band++) {
    // The band's rows are combined into one 53-bit value (collisions between different bands are excluded by the prefix).
    let hi = 0x811c9dc5;
    let lo = 0x01000193;
    for (let r = 0; r < family.rows; r++) {
      const v = sig[band * family.rows + r]!;
      hi = Math.imul(hi ^ v, 0x01000193) >>> 0;
      lo = Math.imul(lo ^ (v >>> 7) ^ (hi << 3), 0x5bd1e995) >>> 0;
    }
    keys.push(`l${family.name}${band}.${((hi & 0x1fffff) * 4294967296 + lo).toString(36)}`);
  }
  return keys;
}

/**
 * Blocking keys of one record, suitable for a database token index: the exact tokens (transposed-DOB variants
 * under the same key) and MinHash-LSH band keys of the Bloom encodings so records with typos still meet.
 * Keys hold no PHI (they derive from keyed tokens).
 */
export function blockingKeys(tokens: LinkageTokens): string[] {
  const keys = new Set<string>();
  for (const name of BLOCKING_TOKENS) {
    const x = tokens.exact[name];
    if (x) keys.add(`${name}:${x}`);
    const y = tokens.alt[name];
    if (y) keys.add(`${name}:${y}`);
  }
  for (const fam of LSH_FAMILIES) for (const k of lshKeys(fam, tokens)) keys.add(k);
  return [...keys];
}

/** Candidate pairs from blocking keys: within one list (dedup, i < j) or across two lists ([i in A, j in B]). Blocks larger than `maxBlock` are skipped. */
export function candidatePairs(keysA: string[][], keysB?: string[][], maxBlock = 2000): Array<[number, number]> {
  const index = new Map<string, number[]>();
  keysA.forEach((ks, i) => {
    for (const k of ks) {
      const l = index.get(k);
      if (l) l.push(i);
      else index.set(k, [i]);
    }
  });
  const seen = new Set<number>();
  const out: Array<[number, number]> = [];
  if (!keysB) {
    const n = keysA.length;
    for (const list of index.values()) {
      if (list.length < 2 || list.length > maxBlock) continue;
      for (let x = 0; x < list.length; x++) {
        for (let y = x + 1; y < list.length; y++) {
          const i = list[x]!;
          const j = list[y]!;
          const id = i * n + j;
          if (!seen.has(id)) {
            seen.add(id);
            out.push([i, j]);
          }
        }
      }
    }
    return out;
  }
  const nb = keysB.length;
  keysB.forEach((ks, j) => {
    for (const k of ks) {
      const list = index.get(k);
      if (!list || list.length > maxBlock) continue;
      for (const i of list) {
        const id = i * nb + j;
        if (!seen.has(id)) {
          seen.add(id);
          out.push([i, j]);
        }
      }
    }
  });
  return out;
}
