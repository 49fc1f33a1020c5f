import { FEATURES, MISSING } from './features';
import { initialModel, type LinkageModel, type LinkMode } from './model';

/** Options of EM estimation. */
export interface EmOptions {
  maxIterations?: number;
  tolerance?: number;
  /** Model to start from (default: a neutral initial model). */
  start?: LinkageModel;
  /**
   * u probabilities estimated beforehand from random pairs (`estimateU`); when given they are held fixed and EM
   * estimates only m and the prior.
   */
  fixedU?: number[][];
  /**
   * Strength of the Dirichlet prior on m, in pseudo-matches distributed like `priorM` (default 20): a MAP estimate
   * that keeps rare levels (day/month transposition, nickname) at plausible values when the data holds few of them.
   */
  mPriorStrength?: number;
  /** Prior m distribution (default: `initialModel(mode)`). */
  priorM?: number[][];
}

/**
 * Estimates u (P(level | non-match)) from comparison vectors of randomly drawn record pairs, which are non-matches
 * with overwhelming probability (the approach of Splink and of Winkler's "u from random pairs"); add-½ smoothing.
 */
export function estimateU(randomVectors: Int8Array[]): number[][] {
  return FEATURES.map((f, fi) => {
    const counts = new Array<number>(f.levels.length).fill(0.5);
    for (const v of randomVectors) {
      const l = v[fi]!;
      if (l !== MISSING) counts[l]! += 1;
    }
    return normalise(counts);
  });
}

/**
 * Estimates m/u probabilities and the match prior by Expectation–Maximisation over the comparison vectors of
 * candidate pairs, assuming conditional independence of features (Winkler 1988; Jaro 1989,
 * https://doi.org/10.1080/01621459.1989.10478785). Missing levels are ignored (missing at random);
 * a small Dirichlet pseudo-count keeps every probability positive.
 */
export function estimateModel(vectors: Int8Array[], mode: LinkMode, options: EmOptions = {}): LinkageModel {
  const start = options.start ?? initialModel(mode);
  const maxIt = options.maxIterations ?? 100;
  const tol = options.tolerance ?? 1e-6;
  // Collapse identical vectors: EM cost then scales with distinct patterns, not pairs.
  const counts = new Map<string, { v: Int8Array; n: number }>();
  for (const v of vectors) {
    const key = v.join(',');
    const e = counts.get(key);
    if (e) e.n++;
    else counts.set(key, { v, n: 1 });
  }
  const patterns = [...counts.values()];
  let m = start.features.map((f) => [...f.m]);
  let u = options.fixedU ? options.fixedU.map((r) => [...r]) : start.features.map((f) => [...f.u]);
  const strength = options.mPriorStrength ?? 20;
  const priorM = options.priorM ?? initialModel(mode).features.map((f) => f.m);
  let prior = Math.min(0.5, Math.max(1e-4, start.prior));
  const nf = FEATURES.length;
  for (let it = 0; it < maxIt; it++) {
    const mAcc = FEATURES.map((f, fi) => f.levels.map((_, l) => 0.01 + strength * priorM[fi]![l]!));
    const uAcc = FEATURES.map((f) => new Array<number>(f.levels.length).fill(0.01));
    let matchMass = 0;
    let total = 0;
    for (const { v, n } of patterns) {
      let lm = Math.log(prior);
      let lu = Math.log(1 - prior);
      for (let f = 0; f < nf; f++) {
        const l = v[f]!;
        if (l === MISSING) continue;
        lm += Math.log(m[f]![l]!);
        lu += Math.log(u[f]![l]!);
      }
      const g = 1 / (1 + Math.exp(lu - lm));
      matchMass += g * n;
      total += n;
      for (let f = 0; f < nf; f++) {
        const l = v[f]!;
        if (l === MISSING) continue;
        mAcc[f]![l]! += g * n;
        uAcc[f]![l]! += (1 - g) * n;
      }
    }
    const newM = mAcc.map((row) => normalise(row));
    const newU = options.fixedU ? u : uAcc.map((row) => normalise(row));
    const newPrior = Math.min(0.999, Math.max(1e-6, matchMass / Math.max(1, total)));
    let delta = Math.abs(newPrior - prior);
    for (let f = 0; f < nf; f++) for (let l = 0; l < newM[f]!.length; l++) delta = Math.max(delta, Math.abs(newM[f]![l]! - m[f]![l]!), Math.abs(newU[f]![l]! - u[f]![l]!));
    m = newM;
    u = newU;
    prior = newPrior;
    if (delta < tol) break;
  }
  return {
    mode,
    prior,
    matchThreshold: start.matchThreshold,
    possibleThreshold: start.possibleThreshold,
    source: `em:${vectors.length} pairs`,
    features: FEATURES.map((f, i) => ({ name: f.name, m: m[i]!, u: u[i]! })),
  };
}

function normalise(row: number[]): number[] {
  const s = row.reduce((a, b) => a + b, 0);
  return row.map((x) => x / s);
}

/** True when an estimated model is usable: for the identifying features, exact agreement is likelier among matches than non-matches. */
export function isPlausibleModel(model: LinkageModel): boolean {
  const key = ['given', 'family', 'dob'];
  return model.prior > 0 && model.prior < 0.95 && model.features.filter((f) => key.includes(f.name)).every((f) => f.m[0]! > f.u[0]!);
}
