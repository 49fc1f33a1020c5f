/** Precision, recall and F1 of predicted pairs against ground truth. */
export interface LinkageMetrics {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  f1: number;
}

/** The entity of a FEBRL record id: rec-N-org and rec-N-dup-K are entity N; other ids are their own entity. */
export function febrlEntity(id: string): string {
  const m = id.trim().match(/^rec-(\d+)-(?:org|dup-\d+)$/);
  return m ? m[1]! : `id:${id.trim()}`;
}

const pairKey = (a: string, b: string) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

/**
 * True pairs of FEBRL ground truth: one file — every pair of records of the same entity; two files — every
 * pair across files of the same entity. Returned as order-free keys.
 */
export function truePairs(idsA: string[], idsB?: string[]): Set<string> {
  const out = new Set<string>();
  const byEntity = (ids: string[]) => {
    const m = new Map<string, string[]>();
    for (const id of ids) {
      const e = febrlEntity(id);
      const l = m.get(e);
      if (l) l.push(id);
      else m.set(e, [id]);
    }
    return m;
  };
  const ea = byEntity(idsA);
  if (!idsB) {
    for (const list of ea.values()) for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) out.add(pairKey(list[i]!, list[j]!));
    return out;
  }
  const eb = byEntity(idsB);
  for (const [e, la] of ea) {
    const lb = eb.get(e);
    if (!lb) continue;
    for (const x of la) for (const y of lb) if (x !== y) out.add(pairKey(x, y));
  }
  return out;
}

/** Scores predicted pairs (duplicates and self-pairs ignored) against the true pairs. */
export function evaluatePairs(predicted: Array<[string, string]>, truth: Set<string>): LinkageMetrics {
  const seen = new Set<string>();
  let tp = 0;
  let fp = 0;
  for (const [a, b] of predicted) {
    if (a === b) continue;
    const k = pairKey(a, b);
    if (seen.has(k)) continue;
    seen.add(k);
    if (truth.has(k)) tp++;
    else fp++;
  }
  const fn = truth.size - tp;
  const precision = tp + fp === 0 ? (truth.size === 0 ? 1 : 0) : tp / (tp + fp);
  const recall = truth.size === 0 ? 1 : tp / truth.size;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truePositives: tp, falsePositives: fp, falseNegatives: fn, precision, recall, f1 };
}
