import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * The linkage service's master secret, expanded by HKDF-SHA256 (RFC 5869, https://www.rfc-editor.org/rfc/rfc5869)
 * into independent sub-keys. Only the linkage service (Tessera) holds it.
 */
export interface MasterKey {
  /** Public fingerprint of the key (first 8 bytes of an HMAC of a fixed label), recorded with tokens to detect key mix-ups. */
  readonly id: string;
  /** Key of the exact-match tokens (HMAC-SHA256). */
  readonly tokenKey: Buffer;
  /** Root of the per-field Bloom-filter hashing keys. */
  readonly bloomKey: Buffer;
  /** Root from which per-site transit keys are derived. */
  readonly siteRoot: Buffer;
}

const SALT = Buffer.from('tessera-linkage-v1');

function hkdf(ikm: Buffer, info: string, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, SALT, Buffer.from(info), length));
}

/** Builds the master key from secret bytes (at least 16 bytes; a text secret is trimmed of surrounding whitespace). */
export function masterKeyFromSecret(secret: Buffer | string): MasterKey {
  let bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  const asText = bytes.toString('utf8');
  if (Buffer.from(asText, 'utf8').equals(bytes) && asText.trim() !== asText) bytes = Buffer.from(asText.trim(), 'utf8');
  if (bytes.length < 16) throw new RangeError(`linkage secret is too short: expected at least 16 bytes, got ${bytes.length}`);
  const id = createHmac('sha256', bytes).update('tessera-linkage-key-id').digest('hex').slice(0, 16);
  return { id, tokenKey: hkdf(bytes, 'exact-tokens'), bloomKey: hkdf(bytes, 'bloom-filters'), siteRoot: hkdf(bytes, 'site-keys') };
}

/** Reads a master secret file (raw bytes or text). */
export function readMasterKeyFile(path: string): MasterKey {
  return masterKeyFromSecret(readFileSync(path));
}

/** Derives the AES-256-GCM transit key of one site and key version: HKDF(master, "site:<name>:v<version>"). */
export function deriveSiteKey(key: MasterKey, site: string, version = 1): Buffer {
  if (!site) throw new RangeError('site name must not be empty');
  let cache = siteKeys.get(key);
  if (!cache) siteKeys.set(key, (cache = new Map()));
  const label = `site:${site}:v${version}`;
  let k = cache.get(label);
  if (!k) {
    k = Buffer.from(hkdfSync('sha256', key.siteRoot, SALT, Buffer.from(label), 32));
    if (cache.size < 10_000) cache.set(label, k);
  }
  return k;
}

const siteKeys = new WeakMap<MasterKey, Map<string, Buffer>>();

/** Constant-time equality of two key fingerprints. */
export function sameKeyId(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
