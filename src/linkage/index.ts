/** Public surface of the privacy-preserving record-linkage engine (see docs/LINKAGE.md). */
export type { PersonPhi, NormalizedPerson } from './person';
export { normalizePerson, type NormalizeOptions } from './normalize/normalize-person';
export { nicknameEquivalent, canonicalGivenNames } from './normalize/nicknames';
export { masterKeyFromSecret, readMasterKeyFile, deriveSiteKey, type MasterKey } from './keys';
export { computeTokens } from './tokens/compute-tokens';
export { decodeTokens, EXACT_TOKEN_NAMES, BLOOM_FIELDS, type LinkageTokens, type DecodedTokens } from './tokens/linkage-tokens';
export { toSiteTokens, fromSiteTokens, rotateSiteTokens, type SiteTokens } from './tokens/site-tokens';
export { blockingKeys, candidatePairs } from './match/blocking';
export { scorePair, scoreComparison, comparePair, type PairScore, type MatchGrade, type MatchOutcome, type Comparable } from './match/score-pair';
export { defaultModel, initialModel, type LinkageModel, type LinkMode } from './match/model';
export { estimateModel } from './match/em';
export { linkRecords, type LinkSource, type LinkOptions, type LinkResult, type LinkedPair } from './match/link-records';
export { prepareSource } from './prepare';
export { fhirPatientToPersonPhi } from './fhir/patient-to-person';
export { evaluatePairs, truePairs, febrlEntity, type LinkageMetrics } from './eval/metrics';
