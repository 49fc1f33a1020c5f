import { hkdfSync } from 'node:crypto';
import { HmacSha256 } from './hmac-sha256';
import type { MasterKey } from '../keys';
import type { NormalizedPerson } from '../person';
import { bloomToString, encodeBloomOf } from './bloom';
import { BLOOM_FIELDS, type BloomField, type ExactTokenName, type LinkageTokens } from './linkage-tokens';

/** Exact tokens keep the first 128 bits of HMAC-SHA256 (truncation as allowed by RFC 2104 §5). */

interface ExactSpec {
  name: ExactTokenName;
  /** Parts of the token, given the date of birth to use (the record's, or its transposition). */
  parts: (n: NormalizedPerson, dob: string) => string[];
  /** The token needs a date of birth. */
  dob?: boolean;
  /** Indexes of parts that may be empty without suppressing the token. */
  optional?: number[];
  /** Also emit the day/month-transposed DOB variant. */
  transposed?: boolean;
}

const minCanon = (n: NormalizedPerson) => n.givenCanonical[0] ?? '';

/** The exact-token recipes (documented in docs/LINKAGE.md). */
const EXACT_SPECS: ExactSpec[] = [
  { name: 'lfi_sex_dob', dob: true, parts: (n, d) => [n.family, n.given.slice(0, 1), n.sex, d], optional: [2] },
  { name: 'ph_sex_dob', dob: true, parts: (n, d) => [n.familyPhonetic, n.givenPhonetic, n.sex, d], optional: [2] },
  { name: 'lf_dob_pc3', dob: true, transposed: true, parts: (n, d) => [n.family, n.given, d, n.postcode.slice(0, 3)] },
  { name: 'nid_dob', dob: true, transposed: true, parts: (n, d) => [n.nationalId, d] },
  { name: 'canon_l_dob', dob: true, parts: (n, d) => [minCanon(n), n.family, d] },
  { name: 'f_dob_pc', dob: true, parts: (n, d) => [n.given, d, n.postcode] },
  { name: 'l_stno_pc', parts: (n) => [n.family, n.streetNumber, n.postcode] },
  { name: 'f_stno_pc', parts: (n) => [n.given, n.streetNumber, n.postcode] },
  { name: 'nid_head', parts: (n) => [n.nationalId.length > 4 ? n.nationalId.slice(0, -1) : ''] },
  { name: 'nid', parts: (n) => [n.nationalId] },
  { name: 'dob', dob: true, transposed: true, parts: (_n, d) => [d] },
  { name: 'yob', parts: (n) => [n.dob.slice(0, 4)] },
  { name: 'sex', parts: (n) => [n.sex] },
  { name: 'sfx', parts: (n) => [n.suffix] },
  { name: 'state', parts: (n) => [n.state] },
  { name: 'phone', parts: (n) => [n.phone] },
];

interface BloomSpec {
  /** The field value encoded (the cache key). */
  value: (n: NormalizedPerson) => string;
  /** Padded character bigrams (text) or position-tagged characters (codes). */
  grams: 'bigrams' | 'positional';
  k: number;
}

const BLOOM_SPECS: Record<BloomField, BloomSpec> = {
  given: { value: (n) => n.given, grams: 'bigrams', k: 15 },
  family: { value: (n) => n.family, grams: 'bigrams', k: 15 },
  stno: { value: (n) => n.streetNumber, grams: 'bigrams', k: 10 },
  street: { value: (n) => n.street, grams: 'bigrams', k: 10 },
  locality: { value: (n) => n.locality, grams: 'bigrams', k: 10 },
  city: { value: (n) => n.city, grams: 'bigrams', k: 10 },
  postcode: { value: (n) => n.postcode, grams: 'positional', k: 12 },
  dob: { value: (n) => n.dob, grams: 'positional', k: 12 },
  nid: { value: (n) => n.nationalId, grams: 'positional', k: 12 },
};

const fieldKeys = new WeakMap<MasterKey, Record<BloomField, Buffer>>();
const bloomCaches = new WeakMap<MasterKey, Map<BloomField, Map<string, string>>>();

function bloomKeys(key: MasterKey): Record<BloomField, Buffer> {
  let keys = fieldKeys.get(key);
  if (keys) return keys;
  keys = {} as Record<BloomField, Buffer>;
  for (const f of BLOOM_FIELDS) {
    // Given and family names share a key so a swapped given/family pair can still be recognised.
    const label = f === 'given' || f === 'family' ? 'name' : f;
    keys[f] = Buffer.from(hkdfSync('sha256', key.bloomKey, Buffer.alloc(0), Buffer.from(`bloom:${label}`), 32));
  }
  fieldKeys.set(key, keys);
  return keys;
}

const hmacs = new WeakMap<MasterKey, HmacSha256>();
/** Tokens of low-cardinality fields (sex, suffix, state, birth year) are memoised per key. */
const LOW_CARDINALITY = new Set<string>(['sex', 'sfx', 'state', 'yob']);
const memo = new WeakMap<MasterKey, Map<string, string>>();

function hmacToken(h: HmacSha256, memoFor: Map<string, string> | undefined, name: string, parts: string[]): string {
  let message = name;
  for (let i = 0; i < parts.length; i++) message += '\x1f' + parts[i];
  if (memoFor) {
    const hit = memoFor.get(message);
    if (hit) return hit;
  }
  const t = h.digest16Base64url(message);
  if (memoFor && memoFor.size < 1000) memoFor.set(message, t);
  return t;
}

/** Computes the master-space tokens of a normalised person (exact HMAC tokens, transposed-DOB variants, nickname tokens, Bloom filters). */
export function computeTokens(n: NormalizedPerson, key: MasterKey): LinkageTokens {
  const exact: LinkageTokens['exact'] = {};
  const alt: LinkageTokens['alt'] = {};
  let h = hmacs.get(key);
  if (!h) hmacs.set(key, (h = new HmacSha256(key.tokenKey)));
  const lowCardinality = memo.get(key) ?? memo.set(key, new Map()).get(key)!;
  for (const spec of EXACT_SPECS) {
    if (spec.dob && !n.dob) continue;
    const parts = spec.parts(n, n.dob);
    let complete = true;
    for (let i = 0; i < parts.length; i++) if (parts[i] === '' && !spec.optional?.includes(i)) complete = false;
    if (!complete) continue;
    const memoFor = LOW_CARDINALITY.has(spec.name) ? lowCardinality : undefined;
    exact[spec.name] = hmacToken(h, memoFor, spec.name, parts);
    if (spec.transposed && n.dobTransposed) alt[spec.name] = hmacToken(h, undefined, spec.name, spec.parts(n, n.dobTransposed));
  }
  const year = n.dob.slice(0, 4);
  const canon = n.given ? n.givenCanonical.slice(0, 6).map((c) => hmacToken(h!, undefined, 'canon', [c, year])) : [];
  const keys = bloomKeys(key);
  const caches = bloomCaches.get(key) ?? bloomCaches.set(key, new Map()).get(key)!;
  const bloom: LinkageTokens['bloom'] = {};
  for (const f of BLOOM_FIELDS) {
    const spec = BLOOM_SPECS[f];
    const value = spec.value(n);
    if (!value) continue;
    // Names, streets and places recur (Zipf): encodings are memoised per field value.
    let cache = caches.get(f);
    if (!cache) caches.set(f, (cache = new Map()));
    let s = cache.get(value);
    if (s === undefined) {
      s = bloomToString(encodeBloomOf(keys[f], value, spec.grams, spec.k));
      if (cache.size < 100_000) cache.set(value, s);
    }
    if (s) bloom[f] = s;
  }
  return { v: 1, kid: key.id, exact, alt, canon, bloom };
}
