import type { MasterKey } from './keys';
import type { LinkSource } from './match/link-records';
import { normalizePerson, type NormalizeOptions } from './normalize/normalize-person';
import type { PersonPhi } from './person';
import { computeTokens } from './tokens/compute-tokens';

/** Normalises and tokenises PHI records into a linkable source (PHI kept in normalised form for PHI mode). */
export function prepareSource(ids: string[], phi: PersonPhi[], key: MasterKey, options: NormalizeOptions = {}): Required<LinkSource> {
  const persons = phi.map((p) => normalizePerson(p, options));
  return { ids, persons, tokens: persons.map((p) => computeTokens(p, key)) };
}
