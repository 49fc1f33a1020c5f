import { foldText } from './text';

const STREET_TYPES: Record<string, string> = {
  street: 'st', str: 'st', road: 'rd', avenue: 'ave', av: 'ave', drive: 'dr', drv: 'dr', place: 'pl', court: 'ct', crescent: 'cres',
  cresent: 'cres', crs: 'cres', circuit: 'cct', close: 'cl', lane: 'ln', terrace: 'tce', parade: 'pde', highway: 'hwy', boulevard: 'blvd',
  square: 'sq', grove: 'gr', way: 'wy', cove: 'cv', circle: 'cir', parkway: 'pkwy', north: 'n', south: 's', east: 'e', west: 'w',
};

/** Normalises an address line: folded text with common street-type words abbreviated (Street → st). */
export function normalizeAddressLine(raw: string | undefined | null): string {
  const words = foldText(raw).split(' ').filter(Boolean);
  return words.map((w) => STREET_TYPES[w] ?? w).join(' ');
}
