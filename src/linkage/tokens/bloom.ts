import { HmacSha256 } from './hmac-sha256';

/**
 * Keyed Bloom-filter (CLK-style) encodings of q-gram sets (Schnell, Bachteler & Reiher 2009,
 * https://doi.org/10.1186/1472-6947-9-41). Positions come from HMAC-SHA256 double hashing under a
 * per-field key, the filter is then XOR-folded once (Schnell, Borgs & Encarnação 2016) — see docs/LINKAGE.md.
 */

/** Length of the filter before folding, in bits. */
export const BLOOM_BITS = 1024;
/** Length after XOR-folding, in bits (what is stored and compared). */
export const FOLDED_BITS = BLOOM_BITS / 2;
const WORDS = FOLDED_BITS / 32;

/** A folded Bloom filter: FOLDED_BITS bits in 32-bit words. */
export type BloomFilter = Uint32Array;

const positionCache = new WeakMap<Buffer, Map<string, Uint16Array>>();

const hmacs = new WeakMap<Buffer, HmacSha256>();
const digestOut = new Uint8Array(32);

function positions(fieldKey: Buffer, cache: Map<string, Uint16Array>, gram: string, k: number): Uint16Array {
  let p = cache.get(gram);
  if (p && p.length === k) return p;
  let h = hmacs.get(fieldKey);
  if (!h) hmacs.set(fieldKey, (h = new HmacSha256(fieldKey)));
  const d = h.digest(gram, digestOut);
  const h1 = ((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0;
  const h2 = (((d[4]! << 24) | (d[5]! << 16) | (d[6]! << 8) | d[7]!) | 1) >>> 0;
  p = new Uint16Array(k);
  for (let i = 0; i < k; i++) p[i] = (h1 + Math.imul(i, h2)) >>> 0 & (BLOOM_BITS - 1);
  if (cache.size < 200_000) cache.set(gram, p);
  return p;
}

/** Padded character bigrams of a string ("ann" → _a an nn n_). */
export function bigrams(s: string): string[] {
  if (!s) return [];
  const t = `_${s}_`;
  const out: string[] = [];
  for (let i = 0; i < t.length - 1; i++) out.push(t.slice(i, i + 2));
  return out;
}

/** Position-tagged characters of a code ("1956" → 0:1 1:9 2:5 3:6): Dice then counts agreeing positions. */
export function positionalGrams(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) out.push(`${i}:${s[i]}`);
  return out;
}

const scratch = new Uint32Array(BLOOM_BITS / 32);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Encodes q-grams into a keyed, XOR-folded Bloom filter (empty filter for no q-grams). */
export function encodeBloom(fieldKey: Buffer, grams: string[], k: number): BloomFilter {
  const full = scratch.fill(0);
  let cache = positionCache.get(fieldKey);
  if (!cache) positionCache.set(fieldKey, (cache = new Map()));
  for (const g of grams) {
    const ps = positions(fieldKey, cache, g, k);
    for (let i = 0; i < ps.length; i++) {
      const b = ps[i]!;
      full[b >>> 5]! |= 1 << (b & 31);
    }
  }
  const folded = new Uint32Array(WORDS);
  for (let i = 0; i < WORDS; i++) folded[i] = (full[i]! ^ full[i + WORDS]!) >>> 0;
  return folded;
}

const intCache = new WeakMap<Buffer, Map<number, Uint16Array>>();

function setPositions(full: Uint32Array, ps: Uint16Array): void {
  for (let i = 0; i < ps.length; i++) {
    const b = ps[i]!;
    full[b >>> 5]! |= 1 << (b & 31);
  }
}

function fold(full: Uint32Array): BloomFilter {
  const folded = new Uint32Array(WORDS);
  for (let i = 0; i < WORDS; i++) folded[i] = (full[i]! ^ full[i + WORDS]!) >>> 0;
  return folded;
}

/**
 * Same result as `encodeBloom(fieldKey, bigrams(value) or positionalGrams(value), k)`, without building q-gram
 * strings on the hot path: q-gram positions are memoised under integer keys (the q-gram string is only built on a miss).
 */
export function encodeBloomOf(fieldKey: Buffer, value: string, kind: 'bigrams' | 'positional', k: number): BloomFilter {
  const full = scratch.fill(0);
  let cache = intCache.get(fieldKey);
  if (!cache) intCache.set(fieldKey, (cache = new Map()));
  let strCache = positionCache.get(fieldKey);
  if (!strCache) positionCache.set(fieldKey, (strCache = new Map()));
  if (kind === 'bigrams') {
    if (!value) return new Uint32Array(WORDS);
    const t = `_${value}_`;
    for (let i = 0; i < t.length - 1; i++) {
      const id = t.charCodeAt(i) * 65536 + t.charCodeAt(i + 1);
      let ps = cache.get(id);
      if (!ps || ps.length !== k) {
        ps = positions(fieldKey, strCache, t.slice(i, i + 2), k);
        cache.set(id, ps);
      }
      setPositions(full, ps);
    }
  } else {
    for (let i = 0; i < value.length; i++) {
      const id = -(i * 65536 + value.charCodeAt(i)) - 1;
      let ps = cache.get(id);
      if (!ps || ps.length !== k) {
        ps = positions(fieldKey, strCache, `${i}:${value[i]}`, k);
        cache.set(id, ps);
      }
      setPositions(full, ps);
    }
  }
  return fold(full);
}

/** Number of set bits. */
export function popcount(bf: BloomFilter): number {
  let n = 0;
  for (let i = 0; i < bf.length; i++) {
    let v = bf[i]!;
    v = v - ((v >>> 1) & 0x55555555);
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    n += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return n;
}

/** Dice coefficient 2|A∩B| / (|A|+|B|) of two filters; NaN when both are empty (missing value). */
export function diceBloom(a: BloomFilter, b: BloomFilter): number {
  let inter = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    inter += pc32(x & y);
    na += pc32(x);
    nb += pc32(y);
  }
  if (na === 0 || nb === 0) return Number.NaN;
  return (2 * inter) / (na + nb);
}

function pc32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** True when no bit is set (the encoded field was missing). */
export function isEmptyBloom(bf: BloomFilter): boolean {
  for (let i = 0; i < bf.length; i++) if (bf[i] !== 0) return false;
  return true;
}

/** Serialises a filter as base64url ('' for an empty filter). */
export function bloomToString(bf: BloomFilter): string {
  if (isEmptyBloom(bf)) return '';
  if (LITTLE_ENDIAN) return Buffer.from(bf.buffer, bf.byteOffset, bf.byteLength).toString('base64url');
  const buf = Buffer.allocUnsafe(bf.length * 4);
  for (let i = 0; i < bf.length; i++) buf.writeUInt32LE(bf[i]!, i * 4);
  return buf.toString('base64url');
}

/** Parses a serialised filter; throws on a wrong length. */
export function bloomFromString(s: string): BloomFilter {
  const out = new Uint32Array(WORDS);
  if (!s) return out;
  const buf = Buffer.from(s, 'base64url');
  if (buf.length !== WORDS * 4) throw new RangeError(`Bloom filter must be ${WORDS * 4} bytes, got ${buf.length}`);
  for (let i = 0; i < WORDS; i++) out[i] = buf.readUInt32LE(i * 4);
  return out;
}
