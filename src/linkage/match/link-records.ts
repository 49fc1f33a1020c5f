import type { NormalizedPerson } from '../person';
import { decodeTokens, type DecodedTokens, type LinkageTokens } from '../tokens/linkage-tokens';
import { blockingKeys, candidatePairs } from './blocking';
import { comparePhi } from './compare-phi';
import { compareTokens } from './compare-tokens';
import type { Comparison } from './features';
import { estimateModel, estimateU, isPlausibleModel } from './em';
import { randomPairs } from './sampling';
import { defaultModel, type LinkageModel, type LinkMode } from './model';

/** Random pairs compared to estimate u. */
const U_SAMPLE = 10_000;
import { clusterRecords, oneToOne, type ScoredEdge } from './resolve';
import { scoreComparison } from './score-pair';

/** One file to link: record ids, master-space tokens, and (PHI mode) normalised persons. */
export interface LinkSource {
  ids: string[];
  tokens: LinkageTokens[];
  persons?: NormalizedPerson[];
}

/** Options of a linkage run. */
export interface LinkOptions {
  mode: LinkMode;
  /** Fixed model; when absent, m/u are estimated by EM on this run's candidate pairs (falling back to the default model). */
  model?: LinkageModel;
  /** Two files: 'cluster' (default; files may hold duplicates) or 'one-to-one' (each file is deduplicated). */
  resolution?: 'cluster' | 'one-to-one';
  /** Apply the twin / parent-child / Jr-Sr rules (default true; false only to measure their cost). */
  hardRules?: boolean;
}

/** A linked pair of record ids with its score. */
export interface LinkedPair {
  left: string;
  right: string;
  score: number;
}

/** Result of a linkage run. */
export interface LinkResult {
  pairs: LinkedPair[];
  /** Pairs graded "possible" for clerical review (not in `pairs`). */
  possible: LinkedPair[];
  model: LinkageModel;
  candidates: number;
}

/**
 * Finds duplicates within one file (`b` absent) or links two files: blocking on tokens, comparison in the given
 * mode, EM-estimated Fellegi–Sunter scoring with hard rules, then consistent resolution (clustering, or one-to-one).
 */
export function linkRecords(a: LinkSource, b: LinkSource | undefined, options: LinkOptions): LinkResult {
  const { mode } = options;
  if (mode === 'phi' && (!a.persons || (b && !b.persons))) throw new RangeError('PHI mode needs normalised persons');
  const keysA = a.tokens.map(blockingKeys);
  const keysB = b ? b.tokens.map(blockingKeys) : undefined;
  const pairs = candidatePairs(keysA, keysB);
  const other = b ?? a;
  let compare: (i: number, j: number) => Comparison;
  if (mode === 'phi') {
    const pa = a.persons!;
    const pb = other.persons!;
    compare = (i, j) => comparePhi(pa[i]!, pb[j]!);
  } else {
    const da: DecodedTokens[] = a.tokens.map(decodeTokens);
    const db: DecodedTokens[] = b ? b.tokens.map(decodeTokens) : da;
    compare = (i, j) => compareTokens(da[i]!, db[j]!);
  }
  const comparisons = pairs.map(([i, j]) => compare(i, j));
  let model = options.model;
  if (!model) {
    const start = defaultModel(mode);
    let fitted: LinkageModel | undefined;
    if (comparisons.length >= 50) {
      // u from random pairs (non-matches), then EM for m and the prior over the candidate pairs with u fixed.
      const sample = randomPairs(a.ids.length, b ? b.ids.length : undefined, U_SAMPLE);
      const u = estimateU(sample.map(([i, j]) => compare(i, j).levels));
      fitted = estimateModel(comparisons.map((c) => c.levels), mode, { start, fixedU: u });
      fitted.source = `EM on ${comparisons.length} candidate pairs, u from ${sample.length} random pairs`;
    }
    model = fitted && isPlausibleModel(fitted) ? fitted : start;
  }
  const offset = b ? a.ids.length : 0;
  const edges: ScoredEdge[] = [];
  const possible: LinkedPair[] = [];
  const scoreOf = new Map<number, number>();
  const total = a.ids.length + (b ? b.ids.length : 0);
  pairs.forEach(([i, j], k) => {
    const s = scoreComparison(comparisons[k]!, model!, options.hardRules ?? true);
    const gi = i;
    const gj = j + offset;
    edges.push({ i: gi, j: gj, score: s.score, outcome: s.outcome, cannotLink: s.rules.some((r) => r === 'suffix-conflict' || r === 'given-and-dob-conflict' || r === 'sex-and-given-conflict') });
    scoreOf.set(gi * total + gj, s.score);
    if (s.outcome === 'possible') possible.push({ left: a.ids[i]!, right: other.ids[j]!, score: s.score });
  });
  const idOf = (g: number) => (g < a.ids.length ? a.ids[g]! : b!.ids[g - offset]!);
  const out: LinkedPair[] = [];
  if (b && options.resolution === 'one-to-one') {
    for (const e of oneToOne(edges)) out.push({ left: idOf(e.i), right: idOf(e.j), score: e.score });
  } else {
    const cluster = clusterRecords(total, edges);
    const groups = new Map<number, number[]>();
    for (let g = 0; g < total; g++) {
      const c = cluster[g]!;
      const l = groups.get(c);
      if (l) l.push(g);
      else groups.set(c, [g]);
    }
    for (const members of groups.values()) {
      if (members.length < 2) continue;
      members.sort((x, y) => x - y);
      // Score of an implied (transitive) pair: its own score when it was a candidate, else the weakest direct edge in the cluster.
      let weakest = 1;
      for (let x = 0; x < members.length; x++) for (let y = x + 1; y < members.length; y++) {
        const s = scoreOf.get(members[x]! * total + members[y]!);
        if (s !== undefined && s >= model.matchThreshold) weakest = Math.min(weakest, s);
      }
      for (let x = 0; x < members.length; x++) {
        for (let y = x + 1; y < members.length; y++) {
          const gi = members[x]!;
          const gj = members[y]!;
          if (b && (gi >= offset) === (gj >= offset)) continue; // two files: cross pairs only
          out.push({ left: idOf(gi), right: idOf(gj), score: scoreOf.get(gi * total + gj) ?? weakest });
        }
      }
    }
  }
  return { pairs: out, possible, model, candidates: pairs.length };
}
