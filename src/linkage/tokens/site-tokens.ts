import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveSiteKey, type MasterKey } from '../keys';
import type { LinkageTokens } from './linkage-tokens';

/**
 * Tokens as one site receives and sends them: the master tokens sealed with AES-256-GCM
 * (NIST SP 800-38D) under the site's HKDF-derived key, fresh random IV each time, so no two
 * sites (nor two key versions of one site) can compare them; only the master-key holder opens them.
 */
export interface SiteTokens {
  site: string;
  keyVersion: number;
  /** base64url(IV ‖ ciphertext ‖ tag). */
  sealed: string;
}

const aad = (site: string, version: number, kid: string) => Buffer.from(`tessera-site-tokens\x1f${site}\x1f${version}\x1f${kid}`);

/** Seals master tokens for one site (key version `keyVersion`, default 1). */
export function toSiteTokens(tokens: LinkageTokens, key: MasterKey, site: string, keyVersion = 1): SiteTokens {
  const k = deriveSiteKey(key, site, keyVersion);
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', k, iv);
  c.setAAD(aad(site, keyVersion, key.id));
  const body = JSON.stringify({ e: tokens.exact, a: tokens.alt, c: tokens.canon, b: tokens.bloom });
  const ct = Buffer.concat([c.update(body, 'utf8'), c.final()]);
  return { site, keyVersion, sealed: Buffer.concat([iv, ct, c.getAuthTag()]).toString('base64url') };
}

/** Opens site tokens back into master space; throws when they were not sealed for this site/version under this master key. */
export function fromSiteTokens(st: SiteTokens, key: MasterKey): LinkageTokens {
  const buf = Buffer.from(st.sealed, 'base64url');
  if (buf.length < 12 + 16 + 2) throw new RangeError('site tokens are truncated');
  const k = deriveSiteKey(key, st.site, st.keyVersion);
  const d = createDecipheriv('aes-256-gcm', k, buf.subarray(0, 12));
  d.setAAD(aad(st.site, st.keyVersion, key.id));
  d.setAuthTag(buf.subarray(buf.length - 16));
  let text: string;
  try {
    text = Buffer.concat([d.update(buf.subarray(12, buf.length - 16)), d.final()]).toString('utf8');
  } catch {
    throw new RangeError(`site tokens do not open under this master key for site "${st.site}" key version ${st.keyVersion}`);
  }
  const o = JSON.parse(text) as { e: LinkageTokens['exact']; a: LinkageTokens['alt']; c: string[]; b: LinkageTokens['bloom'] };
  return { v: 1, kid: key.id, exact: o.e, alt: o.a, canon: o.c, bloom: o.b };
}

/** Re-seals site tokens under a new site key version (rotation) without touching master-space tokens. */
export function rotateSiteTokens(st: SiteTokens, key: MasterKey, newVersion: number): SiteTokens {
  return toSiteTokens(fromSiteTokens(st, key), key, st.site, newVersion);
}

