import { expect, test } from 'vitest';
import { editDistance, jaro, jaroWinkler } from './similarity';

// Reference values from Winkler (1990) / the usual worked examples.
test.each([
  ['martha', 'marhta', 0.9444, 0.9611],
  ['dwayne', 'duane', 0.8222, 0.84],
  ['dixon', 'dicksonx', 0.7667, 0.8133],
  ['abc', 'abc', 1, 1],
  ['abc', 'xyz', 0, 0],
  ['', 'abc', 0, 0],
])('jaro(%j, %j) = %f, jaroWinkler = %f', (a, b, j, jw) => {
  expect(jaro(a, b)).toBeCloseTo(j, 3);
  expect(jaroWinkler(a, b)).toBeCloseTo(jw, 3);
  expect(jaroWinkler(b, a)).toBeCloseTo(jw, 3);
});

test.each([
  ['kitten', 'sitting', 3],
  ['19560409', '19560490', 1], // adjacent transposition counts once
  ['smith', 'smith', 0],
  ['', 'abc', 3],
  ['abcdefgh', 'z', 4], // capped at cap + 1
])('editDistance(%j, %j) = %i', (a, b, d) => expect(editDistance(a, b, 3)).toBe(d));
