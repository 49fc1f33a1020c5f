import { foldText } from './text';

const TITLES = new Set([
  'mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'professor', 'sir', 'dame', 'lady', 'lord', 'rev', 'revd', 'reverend',
  'fr', 'father', 'sr_title', 'sister', 'br', 'brother', 'hon', 'capt', 'captain', 'col', 'maj', 'lt', 'sgt', 'herr', 'frau', 'mme', 'mlle', 'dott',
]);

/** Generational suffixes kept as their own field (father and son differ only here). */
const SUFFIXES: Record<string, string> = {
  jr: 'jr', jnr: 'jr', junior: 'jr', sr: 'sr', snr: 'sr', senior: 'sr',
  i: 'i', ii: 'ii', iii: 'iii', iv: 'iv', v: 'v', vi: 'vi', '2nd': 'ii', '3rd': 'iii', '4th': 'iv',
};

/** Honorific / qualification suffixes that carry no identity (dropped). */
const DROPPED_SUFFIXES = new Set(['md', 'phd', 'dds', 'esq', 'rn', 'do', 'jd', 'mba', 'cpa', 'obe', 'mbe', 'frcs', 'qc', 'kc']);

/** A name split into identity-bearing parts. */
export interface ParsedName {
  /** Folded words of the name with titles and suffixes removed. */
  words: string[];
  /** Generational suffix ('jr', 'sr', 'ii', 'iii', ...) or ''. */
  suffix: string;
}

/** Normalises a generational suffix string ('Jr.', 'III', 'Senior') to its canonical form, '' if none. */
export function normalizeSuffix(value: string | undefined): string {
  const f = foldText(value).replace(/\s+/g, '');
  return SUFFIXES[f] ?? '';
}

/**
 * Splits a free-text name into folded words, removing titles (Mr, Dr, ...) and pulling generational
 * suffixes (Jr/Sr/II/III) into their own field so they are never silently lost.
 */
export function parseName(value: string | undefined, isFamily = false): ParsedName {
  const words = foldText(value).split(' ').filter(Boolean);
  let suffix = '';
  const kept: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (i === 0 && !isFamily && TITLES.has(w) && words.length > 1) continue;
    // Single-letter 'i'/'v' are only suffixes in trailing position of a multi-word name.
    const s = SUFFIXES[w];
    if (s && kept.length > 0 && (w.length > 1 || i === words.length - 1)) {
      suffix = s;
      continue;
    }
    if (DROPPED_SUFFIXES.has(w) && kept.length > 0) continue;
    kept.push(w);
  }
  return { words: kept, suffix };
}
