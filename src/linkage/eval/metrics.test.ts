import { expect, test } from 'vitest';
import { evaluatePairs, febrlEntity, truePairs } from './metrics';

test.each([
  ['rec-12-org', '12'],
  [' rec-12-dup-3', '12'],
  ['patient-7', 'id:patient-7'],
])('febrlEntity(%j) = %j', (id, entity) => expect(febrlEntity(id)).toBe(entity));

test('one file: all pairs within an entity; metrics of a hand-made prediction', () => {
  const ids = ['rec-1-org', 'rec-1-dup-0', 'rec-1-dup-1', 'rec-2-org', 'rec-2-dup-0', 'rec-3-org'];
  const truth = truePairs(ids);
  expect(truth.size).toBe(4); // 3 pairs for entity 1, 1 for entity 2
  const m = evaluatePairs(
    [
      ['rec-1-org', 'rec-1-dup-0'],
      ['rec-1-dup-1', 'rec-1-org'], // order does not matter
      ['rec-1-org', 'rec-1-dup-0'], // duplicate row counted once
      ['rec-2-org', 'rec-3-org'], // false positive
    ],
    truth,
  );
  expect(m).toMatchObject({ truePositives: 2, falsePositives: 1, falseNegatives: 2 });
  expect(m.precision).toBeCloseTo(2 / 3);
  expect(m.recall).toBeCloseTo(0.5);
  expect(m.f1).toBeCloseTo((2 * (2 / 3) * 0.5) / (2 / 3 + 0.5));
});

test('two files: only pairs across the files', () => {
  const truth = truePairs(['rec-1-org', 'rec-2-org'], ['rec-1-dup-0', 'rec-1-dup-1', 'rec-3-dup-0']);
  expect(truth.size).toBe(2);
  expect(evaluatePairs([['rec-1-org', 'rec-1-dup-0'], ['rec-1-org', 'rec-1-dup-1']], truth).f1).toBe(1);
  expect(evaluatePairs([], truth)).toMatchObject({ precision: 0, recall: 0, f1: 0 });
});
