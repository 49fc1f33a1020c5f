import type { OperationOutcomeIssue } from 'fhir/r4';

/** State shared by one walk of one resource against one element tree. */
export interface WalkContext {
  /** The resource being walked (%resource). */
  resource: Record<string, unknown>;
  /** The outermost resource (%rootResource; the container for contained resources). */
  rootResource: Record<string, unknown>;
  /** Where issues are collected. */
  issues: OperationOutcomeIssue[];
  /** Appended to every diagnostic, e.g. " (profile https://...)"; empty for base rules. */
  suffix: string;
  /** Maps a non-core profile URL to the resource type it constrains. */
  profileType: (url: string) => string | undefined;
  /** Called for each embedded resource (contained, Bundle.entry.resource, ...) found in base walks. */
  onEmbeddedResource?: (resource: Record<string, unknown>, location: string, contained: boolean) => void;
}

/** One occurrence of an element in an instance. */
export interface Occurrence {
  /** The JSON value (for primitives the bare value; may be undefined when only `_x` is present). */
  value: unknown;
  /** The `_x` extension object of a primitive, if any. */
  ext: unknown;
  /** FHIRPath location, e.g. "Patient.name[0].given[1]". */
  location: string;
  /** The FHIR type of this occurrence (choice types resolved), undefined if not allowed here. */
  typeCode: string | undefined;
  /** The JSON property name, e.g. "deceasedBoolean". */
  key: string;
  /** For a choice element, the type suffix found in the instance that the definition does not allow. */
  disallowedType?: string;
}
