import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FEATURES } from './features';

/** Which comparators a model is for: fuzzy comparison of normalised PHI, or tokens only. */
export type LinkMode = 'phi' | 'token';

/** m/u probabilities of one feature's levels. */
export interface FeatureParams {
  name: string;
  /** P(level | match). */
  m: number[];
  /** P(level | non-match). */
  u: number[];
}

/**
 * A Fellegi–Sunter model (Fellegi & Sunter 1969, https://doi.org/10.1080/01621459.1969.10501049):
 * per-feature m/u probabilities, the prior match proportion among candidate pairs, and the posterior thresholds
 * of the three outcomes.
 */
export interface LinkageModel {
  mode: LinkMode;
  features: FeatureParams[];
  /** Proportion of matches among candidate pairs (λ). */
  prior: number;
  /** Posterior P(match) at or above which a pair is a match. */
  matchThreshold: number;
  /** Posterior P(match) at or above which a pair is a possible match (clerical review). */
  possibleThreshold: number;
  /** How the model was obtained. */
  source: string;
}

/** Default posterior match probability at or above which a pair is a match. */
export const MATCH_THRESHOLD = 0.9;
/** Default posterior match probability at or above which a pair is a possible match (clerical review). */
export const POSSIBLE_THRESHOLD = 0.05;

/**
 * Domain prior of m (P(level | match)) per feature: what a clerical reviewer expects of true duplicates in
 * registration data (most fields agree; typos, transpositions and nicknames are the minority). Used to start EM and
 * as its Dirichlet prior.
 */
const PRIOR_M: Record<string, number[]> = {
  given: [0.85, 0.08, 0.04, 0.03],
  family: [0.85, 0.08, 0.04, 0.03],
  dob: [0.9, 0.02, 0.05, 0.03],
  stno: [0.9, 0.1],
  street: [0.85, 0.08, 0.04, 0.03],
  locality: [0.85, 0.08, 0.04, 0.03],
  city: [0.85, 0.08, 0.04, 0.03],
  postcode: [0.9, 0.07, 0.03],
  state: [0.95, 0.05],
  nid: [0.9, 0.07, 0.03],
  sex: [0.97, 0.03],
  phone: [0.9, 0.1],
};

/** A starting model: the domain prior for m, disagreement likely among non-matches for u; used to start EM. */
export function initialModel(mode: LinkMode): LinkageModel {
  return {
    mode,
    prior: 0.1,
    matchThreshold: MATCH_THRESHOLD,
    possibleThreshold: POSSIBLE_THRESHOLD,
    source: 'initial',
    features: FEATURES.map((f) => {
      const L = f.levels.length;
      const m = PRIOR_M[f.name] ?? f.levels.map((_, i) => (i === 0 ? 0.8 : 0.2 / (L - 1)));
      const u = f.levels.map((_, i) => (i === L - 1 ? 0.8 : 0.2 / (L - 1)));
      return { name: f.name, m: [...m], u };
    }),
  };
}

/** Location of the bundled fitted models (regenerate with `npx tsx bench/linkage-fit-model.ts`). */
export const DEFAULT_MODEL_JSON = fileURLToPath(new URL('../../../seeds/linkage/default-model.json', import.meta.url));

let defaults: Record<LinkMode, LinkageModel> | undefined;

/** The default model of a mode, fitted by EM on the FEBRL-like data in seeds/linkage (lazily read, cached). */
export function defaultModel(mode: LinkMode): LinkageModel {
  if (!defaults) defaults = JSON.parse(readFileSync(DEFAULT_MODEL_JSON, 'utf8')) as Record<LinkMode, LinkageModel>;
  const m = defaults[mode];
  if (!m) throw new Error(`no default linkage model for mode ${mode}`);
  return m;
}

/** Per-feature per-level log2 likelihood-ratio weights log2(m/u). */
export function weightTable(model: LinkageModel): number[][] {
  return model.features.map((f) => f.m.map((m, i) => Math.log2(m / f.u[i]!)));
}
