import { febrlToPersons, parseCsv } from '../io/febrl-csv';
import { masterKeyFromSecret } from '../keys';
import { prepareSource } from '../prepare';
import { blockingKeys, candidatePairs } from './blocking';
import { comparePhi } from './compare-phi';
import { compareTokens } from './compare-tokens';
import { estimateModel, estimateU } from './em';
import { randomPairs } from './sampling';
import { initialModel, type LinkageModel, type LinkMode } from './model';
import { decodeTokens } from '../tokens/linkage-tokens';

/** Fits PHI-mode and token-mode models on one FEBRL-format CSV: u from random pairs, m and prior by EM on the dedup candidate pairs. */
export function fitModelsFromFebrl(csvText: string): Record<LinkMode, LinkageModel> {
  const { ids, persons } = febrlToPersons(parseCsv(csvText));
  // A fixed public key: the fitted m/u are properties of the comparators, not of the key; fixing it only makes the
  // fit reproducible (the Bloom bits, hence LSH candidates and Dice values, depend on the key).
  const src = prepareSource(ids, persons, masterKeyFromSecret('tessera-default-model-fit-key-v1'));
  const pairs = candidatePairs(src.tokens.map(blockingKeys));
  const decoded = src.tokens.map(decodeTokens);
  const random = randomPairs(ids.length, undefined, 50_000);
  const uPhi = estimateU(random.map(([i, j]) => comparePhi(src.persons[i]!, src.persons[j]!).levels));
  const uTok = estimateU(random.map(([i, j]) => compareTokens(decoded[i]!, decoded[j]!).levels));
  const phi = estimateModel(pairs.map(([i, j]) => comparePhi(src.persons[i]!, src.persons[j]!).levels), 'phi', { start: initialModel('phi'), fixedU: uPhi });
  const token = estimateModel(pairs.map(([i, j]) => compareTokens(decoded[i]!, decoded[j]!).levels), 'token', { start: initialModel('token'), fixedU: uTok });
  phi.source = `EM (m, prior) on the ${pairs.length} candidate pairs of seeds/linkage/febrl1.csv, u from ${random.length} random pairs`;
  token.source = phi.source;
  return { phi, token };
}
