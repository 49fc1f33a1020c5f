/** Record linkage in the server: Patient hook, token index, golden records, clerical operations (docs/LINKAGE.md, "In the server"). */
export { LinkageService, TOKEN_ONLY_TAG, type LinkageServiceDeps, type MatchResult, type TokenizedPatientResult } from './linkage-service';
export { linkageOperations, MATCH_GRADE_URL } from './linkage-operations';
export { resolveLinkageKey, DEV_KEY_FILE, type LinkageKeySource } from './linkage-key';
export { allowAll, requireScopes, type LinkagePolicy, type ClericalAction } from './linkage-policy';
export { LINKAGE_ACTION_SYSTEM, type LinkageAction } from './linkage-audit';
