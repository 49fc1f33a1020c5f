import { createCdsiEngine, type CdsiEngine } from './engine';
import { loadSupportingData } from './supporting-data';

export type { CdsiEngine } from './engine';
export type * from './engine-types';
export { createCdsiEngine } from './engine';
export { loadSupportingData, normalizeCvx, defaultSeedsDir } from './supporting-data';
export { findVaccineGroup, isVaccineGroupComplete, hasValidDose } from './group-queries';

const cache = new Map<string, CdsiEngine>();

/** Loads and indexes the CDSi supporting data from `seedsDir` (default `<repo>/seeds`) once; later calls reuse it. */
export function loadCdsiEngine(seedsDir?: string): CdsiEngine {
  const key = seedsDir ?? '';
  let engine = cache.get(key);
  if (!engine) {
    engine = createCdsiEngine(loadSupportingData(seedsDir));
    cache.set(key, engine);
  }
  return engine;
}
