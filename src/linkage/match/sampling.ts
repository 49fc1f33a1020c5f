import { seededRandom } from '../../shared/seeded-random';
const prng = seededRandom;

/**
 * Draws up to `count` distinct random record pairs, reproducibly: within one list (`nB` undefined; i < j) or across
 * two lists. Used to estimate u probabilities — random pairs are almost all non-matches.
 */
export function randomPairs(nA: number, nB: number | undefined, count: number, seed = 0x5eed): Array<[number, number]> {
  const total = nB === undefined ? (nA * (nA - 1)) / 2 : nA * nB;
  const want = Math.min(count, total);
  const out: Array<[number, number]> = [];
  if (want <= 0) return out;
  const rnd = prng(seed);
  const seen = new Set<number>();
  const width = nB ?? nA;
  let guard = want * 20;
  while (out.length < want && guard-- > 0) {
    let i = Math.floor(rnd() * nA);
    let j = Math.floor(rnd() * width);
    if (nB === undefined) {
      if (i === j) continue;
      if (i > j) [i, j] = [j, i];
    }
    const id = i * width + j;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push([i, j]);
  }
  return out;
}
