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
 * positives — Jr/Sr differ → non-match; given name AND date of birth both conflicting (parent/child) → non-match;
 * a conflicting given name (twins), a date of birth in another year alone, or clearly different national ids when a
 * given name is missing cap the pair at "possible"; a national
 * id that agrees or differs by one typo (other than in its last character, as twins' consecutive numbers do) lifts the caps and vetoes (the conflict is then a data-entry error).
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
  // A national id that agrees, or differs by one typo other than in its last character (twins' numbers are often
  // consecutive), vouches for the person.
  const nidExact = c.levels[F.nid] === 0 || (c.levels[F.nid] === 1 && !c.idsDifferAtEnd);
  const { givenConflict, dobConflict } = c;
  // Clearly different national ids while a given name is missing (a twin whose first name was not recorded).
  const nidConflict = c.levels[F.nid] === 2 && c.levels[F.given] === MISSING;
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
  if (!veto && dobConflict && !nidExact) {
    rules.push('dob-conflict');
    cap = true;
  }
  if (!veto && nidConflict) {
    rules.push('id-conflict');
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
