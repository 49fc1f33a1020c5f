import type { OperationOutcomeIssue } from 'fhir/r4';
import { isResourceType } from '../model/definitions';
import { getBaseTree, type ElementTree } from './element-tree';
import { walkResource } from './instance-walker';
import { describeValue, validationIssue } from './issues';
import { validateJsonSchema } from './json-schema-layer';
import type { WalkContext } from './walk-context';

/** Checks that a value is a JSON object with an R4 resourceType; reports why not. */
export function checkResourceShape(value: unknown, location: string | undefined, issues: OperationOutcomeIssue[]): value is Record<string, unknown> & { resourceType: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    issues.push(validationIssue('structure', `Expected a FHIR resource (a JSON object) but got ${describeValue(value)}`, location));
    return false;
  }
  const rt = (value as Record<string, unknown>).resourceType;
  if (rt === undefined) {
    issues.push(validationIssue('required', 'Missing resourceType: expected the name of an R4 resource type (e.g. "Patient")', location ? `${location}.resourceType` : 'resourceType'));
    return false;
  }
  if (typeof rt !== 'string' || !isResourceType(rt)) {
    issues.push(validationIssue('not-supported', `Unknown resourceType: expected an R4 resource type but got ${describeValue(rt)}`, location ? `${location}.resourceType` : 'resourceType'));
    return false;
  }
  return true;
}

/**
 * Base validation of a resource and, recursively, of every resource embedded in it: JSON schema
 * (layer 1), base StructureDefinition rules (layer 2) and invariants (layer 3).
 */
export function validateBase(
  resource: Record<string, unknown> & { resourceType: string },
  location: string,
  rootResource: Record<string, unknown>,
  profileType: (url: string) => string | undefined,
  issues: OperationOutcomeIssue[],
): void {
  const schemaIssues = validateJsonSchema(resource, resource.resourceType, location);
  const firstOwn = issues.length;
  const tree = getBaseTree(resource.resourceType) as ElementTree;
  const ctx: WalkContext = {
    resource,
    rootResource,
    issues,
    suffix: '',
    profileType,
    onEmbeddedResource: (embedded, at, contained) => {
      if (!checkResourceShape(embedded, at, issues)) return;
      validateBase(embedded, at, contained ? rootResource : embedded, profileType, issues);
    },
  };
  walkResource(tree, resource, location, ctx);
  // The schema repeats some structure-rule findings (required elements, enumerated codes) with less
  // detail: keep only the structure-rule issue for the same location.
  const covered = new Set(issues.slice(firstOwn).map((i) => `${i.code}|${i.expression?.[0] ?? ''}`));
  issues.push(...schemaIssues.filter((i) => !covered.has(`${i.code}|${i.expression?.[0] ?? ''}`)));
}

/** Validation of a resource against one loaded profile (layer 4): only what the profile constrains. */
export function validateProfile(
  tree: ElementTree,
  resource: Record<string, unknown> & { resourceType: string },
  profileType: (url: string) => string | undefined,
  issues: OperationOutcomeIssue[],
): void {
  if (tree.type !== resource.resourceType) {
    issues.push(validationIssue('invalid', `Profile ${tree.url} applies to ${tree.type} but the resource is a ${resource.resourceType}`, resource.resourceType));
    return;
  }
  walkResource(tree, resource, resource.resourceType, {
    resource,
    rootResource: resource,
    issues,
    suffix: ` (profile ${tree.url})`,
    profileType,
  });
}
