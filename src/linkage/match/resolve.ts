/** A scored candidate edge between record i and record j (indices into one combined record list). */
export interface ScoredEdge {
  i: number;
  j: number;
  score: number;
  outcome: 'match' | 'possible' | 'non-match';
  /** A hard rule forbids ever putting i and j in one cluster. */
  cannotLink: boolean;
}

/**
 * Clusters records from match edges, strongest first; two clusters merge only if no pair across them is a
 * cannot-link pair (Jr/Sr, parent/child...), so one bad edge cannot chain two people together through a third.
 * Returns the cluster id of each record.
 */
export function clusterRecords(n: number, edges: ScoredEdge[]): Int32Array {
  const cannot = new Map<number, Set<number>>();
  for (const e of edges) {
    if (!e.cannotLink) continue;
    (cannot.get(e.i) ?? cannot.set(e.i, new Set()).get(e.i)!).add(e.j);
    (cannot.get(e.j) ?? cannot.set(e.j, new Set()).get(e.j)!).add(e.i);
  }
  const clusterOf = new Int32Array(n);
  const members: number[][] = [];
  for (let i = 0; i < n; i++) {
    clusterOf[i] = i;
    members.push([i]);
  }
  const sorted = edges.filter((e) => e.outcome === 'match').sort((a, b) => b.score - a.score);
  for (const e of sorted) {
    const ca = clusterOf[e.i]!;
    const cb = clusterOf[e.j]!;
    if (ca === cb) continue;
    const A = members[ca]!;
    const B = members[cb]!;
    let ok = true;
    for (const x of A) {
      const bad = cannot.get(x);
      if (bad && B.some((y) => bad.has(y))) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    const [keep, drop] = A.length >= B.length ? [ca, cb] : [cb, ca];
    for (const y of members[drop]!) {
      clusterOf[y] = keep;
      members[keep]!.push(y);
    }
    members[drop] = [];
  }
  return clusterOf;
}

/** One-to-one assignment between two deduplicated files: greedy by descending score, each record used at most once. */
export function oneToOne(edges: ScoredEdge[]): ScoredEdge[] {
  const usedI = new Set<number>();
  const usedJ = new Set<number>();
  const out: ScoredEdge[] = [];
  for (const e of edges.filter((x) => x.outcome === 'match').sort((a, b) => b.score - a.score)) {
    if (usedI.has(e.i) || usedJ.has(e.j)) continue;
    usedI.add(e.i);
    usedJ.add(e.j);
    out.push(e);
  }
  return out;
}
