import { doubleMetaphone } from 'double-metaphone';

/** Primary Double Metaphone code of a letters-only name ('' when empty). */
export function phoneticCode(name: string): string {
  if (!name) return '';
  let code = cache.get(name);
  if (code === undefined) {
    code = doubleMetaphone(name)[0];
    if (cache.size < 100_000) cache.set(name, code);
  }
  return code;
}

const cache = new Map<string, string>();

/** Both Double Metaphone codes (primary, alternate) of a letters-only name. */
export function phoneticCodes(name: string): [string, string] {
  if (!name) return ['', ''];
  const [p, a] = doubleMetaphone(name);
  return [p, a];
}
