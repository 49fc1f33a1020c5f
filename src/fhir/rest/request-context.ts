import type { Knex } from 'knex';
import type { Bundle, Parameters, Resource } from 'fhir/r4';
import type { ResourceStore } from '../../storage/resource-store';
import type { Validator } from '../validation';
import type { SearchEngine } from '../search';
import type { PersonDirectory } from '../../mpi/person-directory';

/**
 * Who is asking. Today every request is anonymous; SMART auth will fill `subject`, `scopes` and
 * `patient` (launch context), and access control/audit will read them here, in one place.
 */
export interface Principal {
  subject: string;
  scopes: string[];
  patient?: string;
  anonymous: boolean;
}

export const ANONYMOUS: Principal = { subject: 'anonymous', scopes: [], anonymous: true };

/** A FHIR operation ($name) handler: transport-free like every interaction. */
export interface OperationHandler {
  /** Operation name without the $. */
  name: string;
  /** Where it can be invoked. */
  levels: Array<'system' | 'type' | 'instance'>;
  /** Types it applies to at type/instance level (undefined = any). */
  resourceTypes?: string[];
  /** Allowed HTTP methods (GET only for operations without side effects). */
  methods: Array<'GET' | 'POST'>;
  /** The OperationDefinition advertised in the CapabilityStatement. */
  definition: { url: string; name: string };
  invoke(ctx: RequestContext, call: OperationCall): Promise<Resource>;
}

export interface OperationCall {
  resourceType?: string;
  id?: string;
  /** Input parameters, from the query string (GET) or the body Parameters (POST). */
  parameters: Parameters;
  /** The raw body resource when POSTed (some operations accept a resource directly). */
  body?: Resource;
  query: Array<[string, string]>;
}

/** Everything an interaction handler may use; passed in, never imported as a global. */
export interface FhirServices {
  knex: Knex;
  store: ResourceStore;
  search: SearchEngine;
  /** The master person index (which Patient records are one person). */
  persons: PersonDirectory;
  validator: Validator;
  operations: OperationHandler[];
  baseUrl: string;
  /** Body size limit, reported in the CapabilityStatement and 413 errors. */
  bodyLimitBytes: number;
}

/** Per-request context: the services, who asks, the open transaction (inside a transaction Bundle) and the clock. */
export interface RequestContext {
  services: FhirServices;
  principal: Principal;
  /** Set when running inside a transaction Bundle: every read and write uses it. */
  trx?: Knex.Transaction;
  now: () => Date;
  /** Resolves `urn:uuid:` / conditional references inside a transaction (already rewritten bodies need none). */
  bundle?: Bundle;
}
