import type { Knex } from 'knex';
import type { Bundle, Identifier, OperationOutcome, Parameters, ParametersParameter, Patient, Reference } from 'fhir/r4';
import type { OperationCall, OperationHandler, RequestContext } from '../../fhir/rest/request-context';
import { FhirError, badRequest, issue } from '../../shared/fhir-error';
import { booleanParameter as booleanParam, integerParameter as integerParam, parameterPath as where, singleParameter as param, stringParameter as stringParam } from '../../fhir/operations/operation-parameters';
import type { LinkageService } from './linkage-service';

/** Extension carrying the match grade on a $match entry (http://hl7.org/fhir/R4/extension-match-grade.html). */
export const MATCH_GRADE_URL = 'http://hl7.org/fhir/StructureDefinition/match-grade';
const TESSERA_OPS = 'https://tessera.dev/fhir/OperationDefinition';

/** A Patient id from a Reference ("Patient/123", absolute URL ending so) or a string parameter. */
function patientParam(call: OperationCall, name: string, required: true): string;
function patientParam(call: OperationCall, name: string, required: boolean): string | undefined;
function patientParam(call: OperationCall, name: string, required: boolean): string | undefined {
  const p = param(call, name);
  if (!p) {
    if (required) throw badRequest(`${name} is required: a Reference to a Patient (e.g. {"reference": "Patient/123"})`, where(name));
    return undefined;
  }
  const raw = p.valueReference?.reference ?? p.valueString;
  const m = raw?.match(/(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/\d+)?$/);
  if (!m) throw badRequest(`${name}: expected a reference to a Patient ("Patient/<id>"), got ${JSON.stringify(raw ?? p)}`, where(name));
  return m[1]!;
}

async function inTransaction<T>(ctx: RequestContext, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return ctx.services.store.transaction(ctx.trx, fn);
}

const patientRef = (id: string): Reference => ({ reference: `Patient/${id}` });
const personRef = (id: string): Reference => ({ reference: `Person/${id}` });
const info = (text: string): OperationOutcome => ({ resourceType: 'OperationOutcome', issue: [issue('informational', text, undefined, 'information')] });

/** Patient/$match (http://hl7.org/fhir/R4/patient-operation-match.html). */
export function matchOperation(service: LinkageService): OperationHandler {
  return {
    name: 'match',
    levels: ['type'],
    resourceTypes: ['Patient'],
    methods: ['POST'],
    definition: { url: 'http://hl7.org/fhir/OperationDefinition/Patient-match', name: 'match' },
    async invoke(ctx, call) {
      service.authorize(ctx.principal, 'match');
      const resource = (param(call, 'resource')?.resource ?? (call.body?.resourceType === 'Patient' ? call.body : undefined)) as Patient | undefined;
      if (!resource) throw badRequest('resource is required: the Patient to match', where('resource'));
      if (resource.resourceType !== 'Patient') throw badRequest(`resource: expected a Patient, got ${resource.resourceType}`, where('resource'));
      const onlyCertainMatches = booleanParam(call, 'onlyCertainMatches') ?? false;
      const count = integerParam(call, 'count', 1, 1000);
      const matches = await service.match(ctx.trx ?? ctx.services.knex, resource, { onlyCertainMatches, count });
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'searchset',
        total: matches.length,
        entry: matches.map((m) => ({
          fullUrl: `${ctx.services.baseUrl}/Patient/${m.patient.id}`,
          resource: m.patient,
          search: { mode: 'match', score: Math.round(m.score * 10000) / 10000, extension: [{ url: MATCH_GRADE_URL, valueCode: m.grade }] },
        })),
      };
      return bundle;
    },
  };
}

/** Patient/$linkage-review: the clerical review queue (possible matches); confirm with $link, reject with $unlink. */
export function reviewOperation(service: LinkageService): OperationHandler {
  return {
    name: 'linkage-review',
    levels: ['type', 'instance'],
    resourceTypes: ['Patient'],
    methods: ['GET', 'POST'],
    definition: { url: `${TESSERA_OPS}/Patient-linkage-review`, name: 'linkage-review' },
    async invoke(ctx, call) {
      const status = stringParam(call, 'status') ?? 'open';
      if (!['open', 'confirmed', 'rejected', 'all'].includes(status)) throw badRequest(`status: expected open, confirmed, rejected or all, got ${JSON.stringify(status)}`, where('status'));
      const count = integerParam(call, '_count', 1, 1000) ?? 100;
      const patientId = call.id ?? patientParam(call, 'patient', false);
      const items = await service.reviewQueue(ctx.trx ?? ctx.services.knex, ctx.principal, { status: status === 'all' ? undefined : (status as 'open'), patientId, count });
      const out: Parameters = {
        resourceType: 'Parameters',
        parameter: items.map((i) => ({
          name: 'item',
          part: [
            { name: 'patient-a', valueReference: patientRef(i.patientA) },
            { name: 'patient-b', valueReference: patientRef(i.patientB) },
            { name: 'score', valueDecimal: Math.round(i.score * 10000) / 10000 },
            { name: 'grade', valueCode: i.grade },
            { name: 'status', valueCode: i.status },
            { name: 'created', valueDateTime: i.createdAt.toISOString() },
            ...(i.resolvedBy ? [{ name: 'resolved-by', valueString: i.resolvedBy }] : []),
            ...(i.resolvedAt ? [{ name: 'resolved', valueDateTime: i.resolvedAt.toISOString() }] : []),
          ],
        })),
      };
      return out;
    },
  };
}

/** Patient/$link: clerical "same person" (confirms a review item). */
export function linkOperation(service: LinkageService): OperationHandler {
  return {
    name: 'link',
    levels: ['type', 'instance'],
    resourceTypes: ['Patient'],
    methods: ['POST'],
    definition: { url: `${TESSERA_OPS}/Patient-link`, name: 'link' },
    async invoke(ctx, call) {
      const a = call.id ?? patientParam(call, 'patient-a', true);
      const b = patientParam(call, 'patient-b', true);
      const personId = await inTransaction(ctx, (trx) => service.link(trx, ctx.principal, a, b));
      return { resourceType: 'Parameters', parameter: [{ name: 'person', valueReference: personRef(personId) }, { name: 'outcome', resource: info(`Patient/${a} and Patient/${b} linked as one person`) }] } as Parameters;
    },
  };
}

/** Patient/$unlink: clerical "not the same person" (rejects a review item); never re-linked automatically. */
export function unlinkOperation(service: LinkageService): OperationHandler {
  return {
    name: 'unlink',
    levels: ['type', 'instance'],
    resourceTypes: ['Patient'],
    methods: ['POST'],
    definition: { url: `${TESSERA_OPS}/Patient-unlink`, name: 'unlink' },
    async invoke(ctx, call) {
      const a = call.id ?? patientParam(call, 'patient-a', true);
      const b = patientParam(call, 'patient-b', false);
      const personId = await inTransaction(ctx, (trx) => service.unlink(trx, ctx.principal, a, b));
      return { resourceType: 'Parameters', parameter: [{ name: 'person', valueReference: personRef(personId) }, { name: 'outcome', resource: info(b ? `Patient/${a} and Patient/${b} recorded as different people` : `Patient/${a} separated from the other records of its person`) }] } as Parameters;
    },
  };
}

/** Patient/$merge with R5 semantics (http://hl7.org/fhir/R5/patient-operation-merge.html). */
export function mergeOperation(service: LinkageService): OperationHandler {
  return {
    name: 'merge',
    levels: ['type'],
    resourceTypes: ['Patient'],
    methods: ['POST'],
    definition: { url: 'http://hl7.org/fhir/OperationDefinition/Patient-merge', name: 'merge' },
    async invoke(ctx, call) {
      for (const unsupported of ['source-patient-identifier', 'target-patient-identifier', 'result-patient']) {
        if (param(call, unsupported)) throw new FhirError(400, issue('not-supported', `${unsupported} is not supported: identify the records with source-patient and target-patient references`, where(unsupported)));
      }
      const sourceId = patientParam(call, 'source-patient', true);
      const targetId = patientParam(call, 'target-patient', true);
      const preview = booleanParam(call, 'preview') ?? false;
      const r = await inTransaction(ctx, (trx) => service.merge(trx, ctx.principal, sourceId, targetId, preview));
      return {
        resourceType: 'Parameters',
        parameter: [
          { name: 'input', resource: call.parameters },
          { name: 'outcome', resource: info(preview ? `Preview: Patient/${sourceId} would be replaced by Patient/${targetId}` : `Patient/${sourceId} merged into Patient/${targetId}`) },
          { name: 'result', resource: r.target },
        ],
      } as Parameters;
    },
  };
}

/** Patient/$unmerge: undoes a $merge (Tessera operation). */
export function unmergeOperation(service: LinkageService): OperationHandler {
  return {
    name: 'unmerge',
    levels: ['type'],
    resourceTypes: ['Patient'],
    methods: ['POST'],
    definition: { url: `${TESSERA_OPS}/Patient-unmerge`, name: 'unmerge' },
    async invoke(ctx, call) {
      const sourceId = patientParam(call, 'source-patient', true);
      const targetId = patientParam(call, 'target-patient', false);
      const r = await inTransaction(ctx, (trx) => service.unmerge(trx, ctx.principal, sourceId, targetId));
      return {
        resourceType: 'Parameters',
        parameter: [
          { name: 'outcome', resource: info(`merge of Patient/${sourceId} undone`) },
          { name: 'source', resource: r.source },
          { name: 'target', resource: r.target },
          { name: 'person', valueReference: personRef(r.personId) },
        ],
      } as Parameters;
    },
  };
}

/** Patient/$tokenized-patient: a clinic submits site tokens (tessera tokenize --site) instead of PHI. */
export function tokenizedPatientOperation(service: LinkageService): OperationHandler {
  return {
    name: 'tokenized-patient',
    levels: ['type'],
    resourceTypes: ['Patient'],
    methods: ['POST'],
    definition: { url: `${TESSERA_OPS}/Patient-tokenized-patient`, name: 'tokenized-patient' },
    async invoke(ctx, call) {
      const site = stringParam(call, 'site');
      if (!site) throw badRequest('site is required: the site name the tokens were sealed for (tessera tokenize --site <name>)', where('site'));
      const sealed = stringParam(call, 'tokens');
      if (!sealed) throw badRequest('tokens is required: the "sealed" column of tessera tokenize --site output', where('tokens'));
      const keyVersion = integerParam(call, 'key-version', 1, 1_000_000) ?? 1;
      const identifier = param(call, 'identifier')?.valueIdentifier as Identifier | undefined;
      if (!identifier) throw badRequest('identifier is required: the clinic\'s identifier of the record (valueIdentifier with system and value)', where('identifier'));
      const managingOrganization = param(call, 'managing-organization')?.valueReference;
      const r = await inTransaction(ctx, (trx) => service.submitTokenizedPatient(trx, ctx.principal, { site, keyVersion, sealed, identifier, managingOrganization }));
      return {
        resourceType: 'Parameters',
        parameter: [
          { name: 'patient', resource: r.patient },
          { name: 'person', valueReference: personRef(r.personId) },
          { name: 'created', valueBoolean: r.created },
        ],
      } as Parameters;
    },
  };
}

/** Every record-linkage operation, for the server's operation list. */
export function linkageOperations(service: LinkageService): OperationHandler[] {
  return [
    matchOperation(service),
    reviewOperation(service),
    linkOperation(service),
    unlinkOperation(service),
    mergeOperation(service),
    unmergeOperation(service),
    tokenizedPatientOperation(service),
  ];
}
