import { expect, test } from 'vitest';
import { estimateModel, estimateU, isPlausibleModel } from './em';
import { FEATURES, MISSING } from './features';
import { initialModel } from './model';

let s = 12345;

/** Draws comparison vectors from a known two-class model, then checks EM recovers it. */
test('EM recovers the prior and m/u probabilities of synthetic data', () => {
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const truthM = FEATURES.map((f) => f.levels.map((_, i) => (i === 0 ? 0.85 : 0.15 / (f.levels.length - 1))));
  const truthU = FEATURES.map((f) => f.levels.map((_, i) => (i === f.levels.length - 1 ? 0.9 : 0.1 / (f.levels.length - 1))));
  const draw = (p: number[]) => {
    let r = rnd();
    for (let i = 0; i < p.length; i++) if ((r -= p[i]!) < 0) return i;
    return p.length - 1;
  };
  const vectors: Int8Array[] = [];
  for (let n = 0; n < 20000; n++) {
    const match = rnd() < 0.2;
    vectors.push(Int8Array.from(FEATURES.map((_, f) => (rnd() < 0.05 ? MISSING : draw(match ? truthM[f]! : truthU[f]!)))));
  }
  const model = estimateModel(vectors, 'phi', { start: initialModel('phi') });
  expect(model.prior).toBeCloseTo(0.2, 1);
  model.features.forEach((f, i) => {
    expect(f.m[0]).toBeCloseTo(truthM[i]![0]!, 1);
    expect(f.u.at(-1)).toBeCloseTo(truthU[i]!.at(-1)!, 1);
  });
  expect(isPlausibleModel(model)).toBe(true);
});

test('u from random pairs, then EM for m and the prior with u fixed', () => {
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const truthM = FEATURES.map((f) => f.levels.map((_, i) => (i === 0 ? 0.7 : 0.3 / (f.levels.length - 1))));
  const truthU = FEATURES.map((f) => f.levels.map((_, i) => (i === f.levels.length - 1 ? 0.95 : 0.05 / (f.levels.length - 1))));
  const draw = (p: number[]) => {
    let r = rnd();
    for (let i = 0; i < p.length; i++) if ((r -= p[i]!) < 0) return i;
    return p.length - 1;
  };
  const sample = (match: boolean) => Int8Array.from(FEATURES.map((_, f) => draw(match ? truthM[f]! : truthU[f]!)));
  const random = Array.from({ length: 20000 }, () => sample(false));
  const u = estimateU(random);
  u.forEach((row, f) => expect(row.at(-1)).toBeCloseTo(truthU[f]!.at(-1)!, 2));
  const candidates = Array.from({ length: 20000 }, () => sample(rnd() < 0.3));
  const model = estimateModel(candidates, 'phi', { start: initialModel('phi'), fixedU: u });
  expect(model.prior).toBeCloseTo(0.3, 1);
  model.features.forEach((f, i) => {
    expect(f.u).toEqual(u[i]);
    expect(f.m[0]).toBeCloseTo(truthM[i]![0]!, 1);
  });
});
