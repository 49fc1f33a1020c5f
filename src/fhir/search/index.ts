import type { Knex } from 'knex';
import type { Bundle } from 'fhir/r4';
import type { ResourceIndexer } from '../../storage/resource-indexer';
import { badRequest, notFound } from '../../shared/fhir-error';
import { getResourceTypes, isResourceType } from '../model/definitions';
import { compartmentParams, COMPARTMENT_TYPES } from './compartments';
import type { Criterion } from './criteria';
import { executeSearch, run } from './execute-search';
import { createIndexer } from './indexer';
import { parseCriterion, parseSearch, UnknownParameter } from './parse-request';
import { filteredFrom } from './query-sql';
import { sql } from './sql';
import { dateRange } from './values';

type Db = Knex | Knex.Transaction;

/** One search as the REST layer received it. */
export interface SearchRequest {
  /** undefined = system search (types from `_type`, else every type). */
  resourceType?: string;
  /** Compartment search: `Patient/123/Immunization` (resourceType set) or `Patient/123/*` (resourceType undefined). */
  compartment?: { type: string; id: string };
  /** Raw query pairs in order (GET query or POST _search form body). */
  params: Array<[string, string]>;
  /** e.g. http://localhost:8080/fhir, for fullUrl and links. */
  baseUrl: string;
  /** Prefer: handling=strict */
  strict: boolean;
}

/** The search module's public face (http://hl7.org/fhir/R4/search.html). */
export interface SearchEngine {
  /** Storage writes the index rows this produces, in the same statement as the content. */
  indexer: ResourceIndexer;
  /** Runs a search; returns a searchset Bundle. Throws FhirError 400 on malformed input (and unknown params when strict). */
  search(db: Db, request: SearchRequest): Promise<Bundle>;
  /** Ids of current resources of `resourceType` matching `criteria` (a query string); unknown parameters are a 400. */
  findIds(db: Db, resourceType: string, criteria: string, limit: number): Promise<string[]>;
  /** Patient/$everything (http://hl7.org/fhir/R4/patient-operation-everything.html). */
  everything(db: Db, request: { patientId: string; params: Array<[string, string]>; baseUrl: string }): Promise<Bundle>;
}

/** Splits a query string into decoded pairs (`+` is a space, as in forms). */
export function parseQueryString(query: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const part of query.replace(/^\?/, '').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const dec = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        throw badRequest(`Malformed percent-encoding in '${s}'`);
      }
    };
    out.push(eq < 0 ? [dec(part), ''] : [dec(part.slice(0, eq)), dec(part.slice(eq + 1))]);
  }
  return out;
}

function checkType(type: string): void {
  if (!isResourceType(type)) throw notFound(`Unknown resource type '${type}'`);
}

function compartmentCriterion(type: string, compartment: { type: string; id: string }, localBase: string): Criterion | undefined {
  const params = compartmentParams(compartment.type).get(type);
  if (!params) return undefined;
  return { kind: 'compartment', compartmentType: compartment.type, id: compartment.id, params, localBase };
}

/** Creates the search engine (stateless apart from lazily cached definitions). */
export function createSearchEngine(): SearchEngine {
  const indexer = createIndexer();

  async function search(db: Db, request: SearchRequest): Promise<Bundle> {
    let types: string[];
    let path: string;
    const typeParam = request.params.find(([k]) => k === '_type')?.[1];
    if (request.compartment) {
      if (!COMPARTMENT_TYPES.includes(request.compartment.type)) throw notFound(`Compartment '${request.compartment.type}' is not supported (only Patient)`);
      const inCompartment = [...compartmentParams(request.compartment.type).keys()];
      if (request.resourceType) {
        checkType(request.resourceType);
        if (!inCompartment.includes(request.resourceType)) throw badRequest(`${request.resourceType} is not in the ${request.compartment.type} compartment`);
        types = [request.resourceType];
      } else types = typeParam ? typeParam.split(',').filter((t) => inCompartment.includes(t)) : inCompartment;
      path = `${request.compartment.type}/${request.compartment.id}/${request.resourceType ?? '*'}`;
    } else if (request.resourceType) {
      checkType(request.resourceType);
      types = [request.resourceType];
      path = request.resourceType;
    } else {
      types = typeParam ? typeParam.split(',').map((t) => t.trim()) : getResourceTypes();
      for (const t of types) if (!isResourceType(t)) throw badRequest(`_type: '${t}' is not a resource type`, '_type');
      path = '';
    }
    if (types.length === 0) throw badRequest('No resource types to search');
    const parsed = parseSearch(types, request.params, { baseUrl: request.baseUrl, strict: request.strict, systemTypeParam: !request.resourceType });
    if (request.compartment) {
      for (const t of types) parsed.criteriaByType.get(t)!.push(compartmentCriterion(t, request.compartment, request.baseUrl)!);
    }
    return executeSearch(db, types, parsed, { baseUrl: request.baseUrl, path });
  }

  async function findIds(db: Db, resourceType: string, criteria: string, limit: number): Promise<string[]> {
    checkType(resourceType);
    const pairs = parseQueryString(criteria);
    if (pairs.length === 0) throw badRequest(`Conditional criteria for ${resourceType} are empty`);
    const list: Criterion[] = [];
    for (const [name, value] of pairs) {
      if (name.startsWith('_') && !['_id', '_lastUpdated', '_tag', '_profile', '_security', '_source', '_list', '_text', '_content'].includes(name.split(':')[0]) && !name.startsWith('_has:')) {
        throw badRequest(`Conditional criteria: '${name}' is not a search criterion`, name);
      }
      const c = parseCriterion(resourceType, name, value, '');
      if (c instanceof UnknownParameter) throw badRequest(`Conditional criteria: ${c.reason}`, name);
      list.push(c);
    }
    const rows = await run<{ id: string }>(db, sql`SELECT r.id ${filteredFrom(resourceType, list, Date.now())} ORDER BY r.id LIMIT ${limit}`);
    return rows.map((r) => r.id);
  }

  async function everything(db: Db, request: { patientId: string; params: Array<[string, string]>; baseUrl: string }): Promise<Bundle> {
    const inCompartment = compartmentParams('Patient');
    const exists = await run<{ id: string }>(db, sql`SELECT id FROM "Patient" WHERE id = ${request.patientId} AND NOT deleted`);
    if (exists.length === 0) throw notFound(`Patient/${request.patientId} is not known`);
    const typeParam = request.params.find(([k]) => k === '_type')?.[1];
    const since = request.params.find(([k]) => k === '_since')?.[1];
    let types = ['Patient', ...[...inCompartment.keys()].filter((t) => t !== 'Patient')];
    if (typeParam) {
      const wanted = typeParam.split(',').map((t) => t.trim());
      for (const t of wanted) if (!isResourceType(t)) throw badRequest(`_type: '${t}' is not a resource type`, '_type');
      types = types.filter((t) => wanted.includes(t));
    }
    if (types.length === 0) throw badRequest('_type selects no type of the Patient compartment', '_type');
    const rest = request.params.filter(([k]) => k === '_count' || k === '_cursor' || k === '_type' || k === '_since');
    const controls = rest.filter(([k]) => k === '_count' || k === '_cursor');
    const parsed = parseSearch(types, controls, { baseUrl: request.baseUrl, strict: true, systemTypeParam: true });
    parsed.applied = rest.filter(([k]) => k !== '_cursor');
    let sinceCriterion: Criterion | undefined;
    if (since !== undefined) {
      const r = dateRange(since);
      if (!r || !/T/.test(since)) throw badRequest(`_since: expected an instant (YYYY-MM-DDThh:mm:ss[.sss]Z), got '${since}'`, '_since');
      const c = parseCriterion('Patient', '_lastUpdated', `ge${since}`, request.baseUrl);
      if (!(c instanceof UnknownParameter)) sinceCriterion = c;
    }
    for (const t of types) {
      const list = parsed.criteriaByType.get(t)!;
      if (t === 'Patient') {
        list.push({ kind: 'id', ids: [request.patientId] });
      } else list.push(compartmentCriterion(t, { type: 'Patient', id: request.patientId }, request.baseUrl)!);
      if (sinceCriterion) {
        const c = parseCriterion(t, '_lastUpdated', `ge${since}`, request.baseUrl);
        if (!(c instanceof UnknownParameter)) list.push(c);
      }
    }
    return executeSearch(db, types, parsed, { baseUrl: request.baseUrl, path: `Patient/${request.patientId}/$everything` });
  }

  return { indexer, search, findIds, everything };
}
