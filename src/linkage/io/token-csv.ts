import { stringify } from 'csv-stringify/sync';
import type { MasterKey } from '../keys';
import { BLOOM_FIELDS, EXACT_TOKEN_NAMES, type LinkageTokens } from '../tokens/linkage-tokens';
import { fromSiteTokens, type SiteTokens } from '../tokens/site-tokens';
import type { CsvTable } from './febrl-csv';

/** Header of a master-space token file: rec_id, kid, exact tokens, transposed variants (x_ prefix), canon, Bloom filters (bf_ prefix). */
export const MASTER_TOKEN_HEADER = ['rec_id', 'kid', ...EXACT_TOKEN_NAMES, ...EXACT_TOKEN_NAMES.map((n) => `x_${n}`), 'canon', ...BLOOM_FIELDS.map((f) => `bf_${f}`)];
/** Header of a site token file. */
export const SITE_TOKEN_HEADER = ['rec_id', 'site', 'key_version', 'sealed'];

/** Serialises master-space tokens as CSV text. */
export function masterTokensToCsv(ids: string[], tokens: LinkageTokens[]): string {
  const rows = tokens.map((t, i) => [
    ids[i]!,
    t.kid,
    ...EXACT_TOKEN_NAMES.map((n) => t.exact[n] ?? ''),
    ...EXACT_TOKEN_NAMES.map((n) => t.alt[n] ?? ''),
    t.canon.join(' '),
    ...BLOOM_FIELDS.map((f) => t.bloom[f] ?? ''),
  ]);
  return stringify([MASTER_TOKEN_HEADER, ...rows]);
}

/** Serialises site tokens as CSV text. */
export function siteTokensToCsv(ids: string[], tokens: SiteTokens[]): string {
  return stringify([SITE_TOKEN_HEADER, ...tokens.map((t, i) => [ids[i]!, t.site, String(t.keyVersion), t.sealed])]);
}

/** True when a header is a token file (site or master). */
export function isTokenHeader(header: string[]): boolean {
  return header[0] === 'rec_id' && (header.includes('sealed') || header.includes('kid'));
}

/** Reads a token file (site tokens are opened with the master key) into ids and master-space tokens. */
export function tokensFromCsv(table: CsvTable, key: MasterKey): { ids: string[]; tokens: LinkageTokens[] } {
  const h = table.header;
  const col = (n: string) => h.indexOf(n);
  const ids: string[] = [];
  const tokens: LinkageTokens[] = [];
  if (h.includes('sealed')) {
    const [ci, cs, cv, cx] = ['rec_id', 'site', 'key_version', 'sealed'].map(col);
    if ([ci, cs, cv, cx].some((c) => c! < 0)) throw new RangeError(`site token file needs columns ${SITE_TOKEN_HEADER.join(', ')}`);
    table.rows.forEach((r, n) => {
      const version = Number(r[cv!]);
      if (!Number.isInteger(version) || version < 1) throw new RangeError(`row ${n + 2}: key_version must be a positive integer, got "${r[cv!]}"`);
      ids.push(r[ci!]!);
      try {
        tokens.push(fromSiteTokens({ site: r[cs!]!, keyVersion: version, sealed: r[cx!]! }, key));
      } catch (e) {
        throw new RangeError(`row ${n + 2}: ${(e as Error).message}`);
      }
    });
    return { ids, tokens };
  }
  const missing = MASTER_TOKEN_HEADER.filter((c) => col(c) < 0);
  if (missing.length) throw new RangeError(`token file is missing column(s) ${missing.join(', ')}`);
  table.rows.forEach((r, n) => {
    const kid = r[col('kid')]!;
    if (kid !== key.id) throw new RangeError(`row ${n + 2}: tokens were made under another master key (kid ${kid}, expected ${key.id})`);
    ids.push(r[col('rec_id')]!);
    const t: LinkageTokens = { v: 1, kid, exact: {}, alt: {}, canon: [], bloom: {} };
    for (const name of EXACT_TOKEN_NAMES) {
      const x = r[col(name)];
      if (x) t.exact[name] = x;
      const y = r[col(`x_${name}`)];
      if (y) t.alt[name] = y;
    }
    const canon = r[col('canon')];
    t.canon = canon ? canon.split(' ').filter(Boolean) : [];
    for (const f of BLOOM_FIELDS) {
      const b = r[col(`bf_${f}`)];
      if (b) t.bloom[f] = b;
    }
    tokens.push(t);
  });
  return { ids, tokens };
}
