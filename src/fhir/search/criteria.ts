import type { ParamDef } from './param-registry';
import type { DateRange, NumberRange, Prefix } from './values';

/** A parsed token value (http://hl7.org/fhir/R4/search.html#token). `system` undefined = any; null = none. */
export interface TokenValue {
  system?: string | null;
  code?: string;
  /** :of-type */
  typeSystem?: string;
  typeCode?: string;
  /** :text */
  text?: string;
  /** :in / :not-in expansion */
  codes?: Array<{ system?: string; code: string }>;
}
export interface DateValue { prefix: Prefix; range: DateRange }
export interface NumberValue { prefix: Prefix; num: NumberRange }
export interface QuantityValue extends NumberValue { system?: string; code?: string }
export interface ReferenceValue {
  type?: string;
  id?: string;
  version?: string;
  url?: string;
  /** For a local `[type/]id`: this server's base (absolute references under it are local too). */
  localBase?: string;
}
export interface NearValue { lat: number; lng: number; meters: number }

/** One typed search value. */
export type SearchValue =
  | { kind: 'string'; text: string }
  | ({ kind: 'token' } & TokenValue)
  | ({ kind: 'date' } & DateValue)
  | ({ kind: 'number' } & NumberValue)
  | ({ kind: 'quantity' } & QuantityValue)
  | ({ kind: 'reference' } & ReferenceValue)
  | { kind: 'uri'; value: string }
  | ({ kind: 'near' } & NearValue)
  | { kind: 'text'; query: string }
  | { kind: 'composite'; parts: SearchValue[] };

/** A parsed criterion on resources of one type; the values of one criterion are OR-ed, criteria are AND-ed. */
export type Criterion =
  | { kind: 'value'; def: ParamDef; modifier?: string; values: SearchValue[] }
  /** Several single-value range criteria on one date/number/quantity parameter, met by one value (`date=ge2020&date=lt2021`). */
  | { kind: 'range'; def: ParamDef; values: SearchValue[] }
  | { kind: 'missing'; def: ParamDef; missing: boolean }
  | { kind: 'id'; ids: string[]; not?: boolean }
  /** `localBase`: this server's base; references followed are relative ones or absolute ones under it. */
  | { kind: 'chain'; def: ParamDef; targets: Array<{ type: string; inner: Criterion }>; localBase?: string }
  | { kind: 'has'; sourceType: string; refParam: ParamDef; inner: Criterion; localBase?: string }
  | { kind: 'list'; listIds: string[] }
  | { kind: 'compartment'; compartmentType: string; id: string; params: string[]; localBase?: string };

/** One `_sort` key. */
export interface SortKey {
  code: string;
  def?: ParamDef;
  desc: boolean;
}

/** One `_include` / `_revinclude` instruction. */
export interface IncludeSpec {
  sourceType: string;
  param: string;
  targetType?: string;
  iterate: boolean;
  rev: boolean;
}

/** The fully parsed search: criteria plus result controls. */
export interface ParsedSearch {
  resourceTypes: string[];
  criteria: Criterion[];
  sort: SortKey[];
  count: number;
  total?: 'none' | 'estimate' | 'accurate';
  summary?: 'true' | 'text' | 'data' | 'count' | 'false';
  elements?: string[];
  includes: IncludeSpec[];
  cursor?: string;
  /** The parameters that were applied, for the `self` link. */
  applied: Array<[string, string]>;
  /** Parameters ignored (lenient mode), with why. */
  ignored: Array<{ name: string; reason: string }>;
}
