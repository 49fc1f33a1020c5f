import type { NormalizedPerson } from '../person';
import { decodeTokens, type DecodedTokens, type LinkageTokens } from '../tokens/linkage-tokens';
import { comparePhi } from './compare-phi';
import { compareTokens } from './compare-tokens';
import { F, FEATURES, MISSING, type Comparison } from './features';
import { weightTable, type LinkageModel, type LinkMode } from './model';

/** FHIR match grade (http://hl7.org/fhir/R4/valueset-match-grade.html). */
export type MatchGrade = 'certain' | 'probable' | 'possible' | 'certainly-not';
/** Three-way Fellegi–Sunter outcome. */
export type MatchOutcome = 'match' | 'possible' | 'non-match';

/** The score of one pair. */
export interface PairScore {
  /** Posterior probability that the pair is a match, after the hard rules. */
  score: number;
  /** Sum of log2(m/u) agreement weights. */
  weight: number;
  grade: MatchGrade;
  outcome: MatchOutcome;
  /** Hard rules that capped or vetoed the pair. */
  rules: string[];
}

const weightCache = new WeakMap<LinkageModel, number[][]>();

function weights(model: LinkageModel): number[][] {
  let w = weightCache.get(model);
  if (!w) weightCache.set(model, (w = weightTable(model)));
  return w;
}

/**
 * Scores a comparison vector: Fellegi–Sunter weight and posterior, then hard rules against the classic false
 * positives — Jr/Sr differ → non-match; given name AND date of birth both conflicting (parent/child, siblings) →
 * non-match; sex and given name both conflicting → non-match; a genuinely different given name (twins), a date of birth
 * a generation away alone (father and son), or clearly different national ids when a given name is missing cap the
 * pair at "possible", as does a pair with no anchor (neither family name, date of birth, national id nor phone agrees). A national id that agrees or differs by keying errors (unless the two numbers look consecutively
 * issued, as twins' do) lifts the given-name and DOB caps and vetoes (the conflict is then a data-entry error).
 */
export function scoreComparison(c: Comparison, model: LinkageModel, hardRules = true): PairScore {
  const w = weights(model);
  let weight = 0;
  for (let f = 0; f < FEATURES.length; f++) {
    const l = c.levels[f]!;
    if (l !== MISSING) weight += w[f]![l]!;
  }
  const logit = weight + Math.log2(model.prior / (1 - model.prior));
  let score = 1 / (1 + Math.pow(2, -logit));
  const rules: string[] = [];
  // A national id that agrees, or differs by keying errors (one edit other than in its last character, or two edits),
  // vouches for the person — unless the two numbers look consecutively issued, as twins' often are.
  const nidExact = c.levels[F.nid] === 0 || (c.levels[F.nid] === 1 && !c.idsDifferAtEnd) || !!c.idsTypo;
  const { givenConflict, dobConflict } = c;
  // Parent and child (a father and son without suffixes): the dates of birth conflict and are a generation apart;
  // a smaller gap cannot be a parent and a child, and is left to the weights.
  const parentChild = dobConflict && (c.generationGap ?? true);
  // Clearly different national ids while a given name is missing (a twin whose first name was not recorded).
  const nidConflict = c.levels[F.nid] === 2 && !c.idsTypo && c.levels[F.given] === MISSING;
  const sexConflict = c.levels[F.sex] === 1;
  let veto = false;
  let cap = false;
  if (c.suffixConflict) {
    rules.push('suffix-conflict');
    veto = true;
  }
  if (givenConflict && dobConflict && !nidExact) {
    rules.push('given-and-dob-conflict');
    veto = true;
  }
  if (sexConflict && givenConflict && !nidExact) {
    rules.push('sex-and-given-conflict');
    veto = true;
  }
  if (!veto && givenConflict && !nidExact) {
    rules.push('given-conflict');
    cap = true;
  }
  if (!veto && parentChild && !nidExact) {
    rules.push('dob-conflict');
    cap = true;
  }
  if (!veto && nidConflict) {
    rules.push('id-conflict');
    cap = true;
  }
  // No anchor: neither the family name, the date of birth, the national id nor the phone agrees. What is left (a given
  // name, sex, a city, a state) is shared by many people in a real population, however rare it was in the data the
  // weights were fitted on; such a pair is at most "possible" (a clerk decides).
  const anchored =
    (c.levels[F.family] >= 0 && c.levels[F.family] <= 1) || (c.levels[F.dob] >= 0 && c.levels[F.dob] <= 2) || nidExact || c.levels[F.phone] === 0;
  if (!veto && !anchored) {
    rules.push('no-anchor');
    cap = true;
  }
  if (!hardRules) {
    veto = false;
    cap = false;
  }
  if (veto) score = Math.min(score, model.possibleThreshold / 10);
  else if (cap) score = Math.min(score, (model.matchThreshold + model.possibleThreshold) / 2);
  const outcome: MatchOutcome = score >= model.matchThreshold ? 'match' : score >= model.possibleThreshold ? 'possible' : 'non-match';
  const grade: MatchGrade = outcome === 'match' ? (score >= 0.99 ? 'certain' : 'probable') : outcome === 'possible' ? 'possible' : 'certainly-not';
  return { score, weight, grade, outcome, rules };
}

/** What can be compared: normalised PHI (PHI mode) or tokens (token mode; serialised or decoded). */
export type Comparable = NormalizedPerson | LinkageTokens | DecodedTokens;

const decoded = new WeakMap<LinkageTokens, DecodedTokens>();

function asDecoded(x: Comparable): DecodedTokens {
  if ('canon' in x && x.canon instanceof Set) return x as DecodedTokens;
  if ('kid' in x) {
    let d = decoded.get(x);
    if (!d) decoded.set(x, (d = decodeTokens(x)));
    return d;
  }
  throw new TypeError('token mode needs LinkageTokens, got a normalised person');
}

function asPerson(x: Comparable): NormalizedPerson {
  if ('givenCanonical' in x) return x;
  throw new TypeError('PHI mode needs normalised persons, got tokens');
}

/** Compares two records in the given mode. */
export function comparePair(a: Comparable, b: Comparable, mode: LinkMode): Comparison {
  return mode === 'phi' ? comparePhi(asPerson(a), asPerson(b)) : compareTokens(asDecoded(a), asDecoded(b));
}

/** Scores one pair (hard rules on unless `hardRules` is false, which is for measurement only): PHI mode compares normalised persons with fuzzy comparators, token mode compares tokens only. */
export function scorePair(a: Comparable, b: Comparable, model: LinkageModel, mode: LinkMode = model.mode, hardRules = true): PairScore {
  if (mode !== model.mode) throw new RangeError(`model is for ${model.mode} mode, asked to score in ${mode} mode`);
  return scoreComparison(comparePair(a, b, mode), model, hardRules);
}
