import type { OperationOutcomeIssue } from 'fhir/r4';
import { dedupeIssues, validationIssue } from './issues';
import { loadProfiles } from './profile-registry';
import { stripVersion } from './terminology';
import { checkResourceShape, validateBase, validateProfile } from './validate-resource';

export { isBlocking } from './issues';
export { skippedInvariants } from './invariants';

/** Options of one validation. */
export interface ValidateOptions {
  /** Extra profile canonical URLs to validate against, in addition to meta.profile. */
  profiles?: string[];
}

/** FHIR R4 resource validator (http://hl7.org/fhir/R4/validation.html). */
export interface Validator {
  /** Returns every problem found (severity error|warning|information). Caller rejects the write if any issue has severity 'error' (fatal counts as error). */
  validate(resource: unknown, options?: ValidateOptions): OperationOutcomeIssue[];
  /** Canonical URLs of the profiles loaded from the profiles directory. */
  profileUrls(): string[];
}

/**
 * Creates a validator with the StructureDefinition profiles found in `profilesDir` loaded. Throws if
 * a profile file is invalid. Validation runs: R4 JSON schema, base StructureDefinition rules,
 * FHIRPath invariants, then each profile in meta.profile (unknown → warning) and options.profiles
 * (unknown → error 'not-found').
 */
export function createValidator(options: { profilesDir: string }): Validator {
  const registry = loadProfiles(options.profilesDir);
  const profileType = (url: string) => registry.typeOf(url);
  return {
    validate(resource, validateOptions = {}) {
      const issues: OperationOutcomeIssue[] = [];
      if (!checkResourceShape(resource, undefined, issues)) return issues;
      const rt = resource.resourceType;
      validateBase(resource, rt, resource, profileType, issues);
      const meta = resource.meta as { profile?: unknown } | undefined;
      const declared = meta && Array.isArray(meta.profile) ? meta.profile.filter((p): p is string => typeof p === 'string') : [];
      const done = new Set<string>();
      declared.forEach((url, i) => {
        const key = stripVersion(url);
        if (done.has(key)) return;
        done.add(key);
        const tree = registry.get(key);
        if (tree) validateProfile(tree, resource, profileType, issues);
        else issues.push(validationIssue('not-found', `Profile ${url} is not known to this server: the resource was not checked against it`, `${rt}.meta.profile[${i}]`, 'warning'));
      });
      for (const url of validateOptions.profiles ?? []) {
        const key = stripVersion(url);
        if (done.has(key)) continue;
        done.add(key);
        const tree = registry.get(key);
        if (tree) validateProfile(tree, resource, profileType, issues);
        else issues.push(validationIssue('not-found', `Profile ${url} is not known to this server (known: ${registry.urls().join(', ') || 'none'})`, undefined, 'error'));
      }
      return dedupeIssues(issues);
    },
    profileUrls: () => registry.urls(),
  };
}
