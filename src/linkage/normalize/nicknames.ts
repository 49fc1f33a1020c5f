import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Location of the bundled nickname list (name1,relationship,name2 from the carltonnorthern/nicknames data set). */
export const NICKNAMES_CSV = fileURLToPath(new URL('../../../seeds/linkage/nicknames_names.csv', import.meta.url));

let formalOf: Map<string, Set<string>> | undefined;

function load(): Map<string, Set<string>> {
  if (formalOf) return formalOf;
  const map = new Map<string, Set<string>>();
  const add = (nick: string, formal: string) => {
    let set = map.get(nick);
    if (!set) map.set(nick, (set = new Set()));
    set.add(formal);
  };
  const text = readFileSync(NICKNAMES_CSV, 'utf8');
  for (const line of text.split(/\r?\n/).slice(1)) {
    const [a, rel, b] = line.split(',');
    if (!a || !b || rel !== 'has_nickname') continue;
    const formal = a.trim().toLowerCase().replace(/[^a-z]/g, '');
    const nick = b.trim().toLowerCase().replace(/[^a-z]/g, '');
    // The list also holds reverse edges ("bill has_nickname robert"); a formal form is kept only when it is at
    // least as long as the nickname, so a short hub (bill) cannot make Robert and William equivalent.
    if (formal && nick && formal.length >= nick.length) add(nick, formal);
  }
  formalOf = map;
  return map;
}

/**
 * Canonical forms of a (folded, letters-only) given name: the name itself plus every formal name
 * (at least as long) the nickname list gives it as a nickname of. Two names are nickname-equivalent when their sets intersect
 * (Bob → {bob, robert}; Rob → {rob, bob, robert}; Robert → {robert, bob}).
 */
export function canonicalGivenNames(name: string): string[] {
  if (!name) return [];
  const formals = load().get(name);
  if (!formals) return [name];
  const out = new Set<string>([name]);
  for (const f of formals) out.add(f);
  return [...out].sort();
}

/** True when two given names are equal or nickname-equivalent. */
export function nicknameEquivalent(a: string, b: string): boolean {
  if (!a || !b) return false;
  if (a === b) return true;
  const ca = canonicalGivenNames(a);
  const cb = new Set(canonicalGivenNames(b));
  return ca.some((x) => cb.has(x));
}
