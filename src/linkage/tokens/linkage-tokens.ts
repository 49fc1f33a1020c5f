import { bloomFromString, type BloomFilter } from './bloom';

/** Names of the exact-match tokens (see docs/LINKAGE.md, "Tokens"). */
export const EXACT_TOKEN_NAMES = [
  'lfi_sex_dob', 'ph_sex_dob', 'lf_dob_pc3', 'nid_dob', 'canon_l_dob', 'f_dob_pc', 'l_stno_pc', 'f_stno_pc', 'nid', 'nid_head', 'dob', 'yob', 'sex', 'sfx', 'state', 'phone',
] as const;
/** One exact token name. */
export type ExactTokenName = (typeof EXACT_TOKEN_NAMES)[number];

/** Fields encoded as keyed Bloom filters. */
export const BLOOM_FIELDS = ['given', 'family', 'stno', 'street', 'locality', 'city', 'postcode', 'dob', 'nid'] as const;
/** One Bloom-encoded field. */
export type BloomField = (typeof BLOOM_FIELDS)[number];

/**
 * The master-space tokens of one person: no PHI, JSON-serialisable. `exact` holds truncated
 * HMAC-SHA256 tokens (base64url), `alt` the day/month-transposed DOB variants of the DOB-bearing ones
 * (same names, so `a.exact[x] === b.alt[x]` detects a transposition), `canon` the nickname-canonical
 * given-name tokens salted with birth year, `bloom` the XOR-folded keyed Bloom filters (base64url, '' when missing).
 */
export interface LinkageTokens {
  v: 1;
  /** Fingerprint of the master key the tokens were made under. */
  kid: string;
  exact: Partial<Record<ExactTokenName, string>>;
  alt: Partial<Record<ExactTokenName, string>>;
  canon: string[];
  bloom: Partial<Record<BloomField, string>>;
}

/** Tokens decoded for fast comparison. */
export interface DecodedTokens {
  exact: Partial<Record<ExactTokenName, string>>;
  alt: Partial<Record<ExactTokenName, string>>;
  canon: Set<string>;
  bloom: Record<BloomField, BloomFilter>;
}

/** Decodes serialised tokens for comparison. */
export function decodeTokens(t: LinkageTokens): DecodedTokens {
  const bloom = {} as Record<BloomField, BloomFilter>;
  for (const f of BLOOM_FIELDS) bloom[f] = bloomFromString(t.bloom[f] ?? '');
  return { exact: t.exact, alt: t.alt, canon: new Set(t.canon), bloom };
}
