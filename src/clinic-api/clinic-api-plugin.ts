import type { Readable } from 'node:stream';
import type { Plugin, Request, ResponseToolkit } from '@hapi/hapi';
import type { Immunization, Patient } from 'fhir/r4';
import { FhirError, badRequest, gone, issue, notFound } from '../shared/fhir-error';
import type { FhirServices, RequestContext } from '../fhir/rest/request-context';
import { ANONYMOUS } from '../fhir/rest/request-context';
import type { ImmunizationTracker } from '../immunization/tracking';
import { immunizationStatus } from '../immunization/tracking';
import { IssueList, checkClinicId, parsePhi, parseVaccination, patientKey, patientToPhi, phiToPatient } from './clinic-input';
import { type ClinicDeps, recordVaccinations, validateVaccinationResources, lockKeys, lookupKeys, ensureClinic } from './clinic-records';
import { importReport, MAX_REPORT_ROWS } from './csv-report';
import { clinicOpenApi } from './openapi';

/** Options of the clinic API plugin. */
export interface ClinicApiOptions {
  services: FhirServices;
  tracker: ImmunizationTracker;
  /** Path prefix, e.g. /api. */
  prefix: string;
  /** Concurrent chunk transactions per CSV import (default 2). */
  reportConcurrency?: number;
  /** Largest number of data rows per CSV report (default MAX_REPORT_ROWS, 100,000); more is a 413 after that many were processed. */
  reportMaxRows?: number;
}

const ID = /^[A-Za-z0-9\-.]{1,64}$/;
const today = () => new Date().toISOString().slice(0, 10);

function objectBody(request: Request): Record<string, unknown> {
  const body = request.payload;
  if (!body || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) throw badRequest('The request body must be a JSON object', '$');
  return body as Record<string, unknown>;
}

function checkId(id: string, what: string): string {
  if (!ID.test(id)) throw badRequest(`${what} must match [A-Za-z0-9-.]{1,64}, got '${id.slice(0, 70)}'`, what);
  return id;
}

/** Status per tracked group of the person of a Patient, from the same computation as $immunization-status. */
async function statusOf(deps: ClinicDeps, patientId: string): Promise<Record<string, string>> {
  const ctx: RequestContext = { services: deps.services, principal: ANONYMOUS, now: () => new Date() };
  const params = await immunizationStatus(ctx, deps.tracker, patientId, { parameters: { resourceType: 'Parameters' }, query: [] }).catch((err) => {
    if (err instanceof FhirError && err.status === 422) return undefined;
    throw err;
  });
  const out: Record<string, string> = {};
  for (const p of params?.parameter ?? []) {
    if (p.name !== 'status') continue;
    const group = p.part?.find((x) => x.name === 'vaccine-group')?.valueString;
    const code = p.part?.find((x) => x.name === 'status')?.valueCode;
    if (group && code) out[group] = code;
  }
  return out;
}

/**
 * The clinic API (docs/IMMUNIZATION-TRACKING.md, OpenAPI at {prefix}/openapi.json): patients and
 * vaccinations as simple JSON, daily reports as streamed CSV. Writes go through the FHIR store (so
 * linkage and tracking hooks run); errors are OperationOutcomes like the FHIR endpoint's.
 */
export const clinicApiPlugin: Plugin<ClinicApiOptions> = {
  name: 'tessera-clinic-api',
  register(server, options) {
    const { services, tracker, prefix } = options;
    const deps: ClinicDeps = { services, tracker };
    const knex = services.knex;

    server.route({ method: 'GET', path: `${prefix}/openapi.json`, handler: () => clinicOpenApi() });

    server.route({
      method: 'POST',
      path: `${prefix}/patients`,
      options: { payload: { maxBytes: 64 * 1024 } },
      async handler(request: Request, h: ResponseToolkit) {
        const body = objectBody(request);
        const issues = new IssueList();
        for (const k of Object.keys(body)) if (!['clinic', 'patientId', 'phi'].includes(k)) issues.add('structure', `Unknown field ${k}: expected clinic, patientId, phi`, k);
        const clinic = checkClinicId(body.clinic);
        const patientId = typeof body.patientId === 'string' && body.patientId.trim() ? body.patientId.trim() : undefined;
        if (body.patientId !== undefined && typeof body.patientId !== 'string') issues.add('invalid', 'patientId must be a string', 'patientId');
        const phi = parsePhi(body.phi, issues);
        issues.throwIfAny();
        const key = patientKey({ patientId, phi: phi! });
        const patient = phiToPatient(clinic, key, phi!);
        const errors = services.validator.validate(patient).filter((i) => i.severity === 'error' || i.severity === 'fatal');
        if (errors.length > 0) throw new FhirError(400, errors);
        const out = await services.store.transaction(undefined, async (trx) => {
          await lockKeys(trx, [`clinic-key:${clinic}:patient:${key}`]);
          await ensureClinic(trx, deps, clinic);
          const existing = (await lookupKeys(trx, clinic, 'patient', [key])).get(key);
          if (existing) {
            const cur = await services.store.read(trx, 'Patient', existing);
            if (cur && !cur.deleted) {
              await services.store.update(trx, { ...patient, id: existing });
              return { id: existing, created: false };
            }
          }
          const v = await services.store.create(trx, patient);
          await trx('clinic_api_key').insert({ clinic, kind: 'patient', key, resource_id: v.id }).onConflict(['clinic', 'kind', 'key']).merge(['resource_id']);
          return { id: v.id, created: true };
        });
        const personId = await services.persons.personOf(undefined, out.id);
        return h.response({ id: out.id, clinic, patientId: key, personId, phi }).code(out.created ? 201 : 200).header('Location', `${prefix}/patients/${out.id}`);
      },
    });

    server.route({
      method: 'GET',
      path: `${prefix}/patients`,
      async handler(request: Request) {
        const q = request.query as Record<string, string | string[]>;
        for (const k of Object.keys(q)) if (!['clinic', 'limit', 'after'].includes(k)) throw badRequest(`Unknown query parameter '${k}': expected clinic, limit, after`, k);
        const one = (k: string) => {
          const v = q[k];
          if (Array.isArray(v)) throw badRequest(`Query parameter '${k}' may appear once`, k);
          return v;
        };
        const limitText = one('limit') ?? '20';
        const limit = Number(limitText);
        if (!/^\d+$/.test(limitText) || limit < 1 || limit > 100) throw badRequest(`limit must be an integer from 1 to 100, got '${limitText.slice(0, 20)}'`, 'limit');
        const after = one('after') ?? '';
        const clinic = one('clinic');
        let ids: string[];
        if (clinic !== undefined) {
          checkClinicId(clinic);
          const rows = (await knex('clinic_api_key').where({ clinic, kind: 'patient' }).andWhere('resource_id', '>', after).orderBy('resource_id').limit(limit).select('resource_id')) as Array<{ resource_id: string }>;
          ids = rows.map((r) => r.resource_id);
        } else {
          const rows = (await knex('Patient').where('deleted', false).andWhere('id', '>', after).orderBy('id').limit(limit).select('id')) as Array<{ id: string }>;
          ids = rows.map((r) => r.id);
        }
        const patients = (await services.store.readMany(undefined, 'Patient', ids)) as Patient[];
        patients.sort((a, b) => (a.id! < b.id! ? -1 : 1));
        return {
          patients: patients.map((p) => ({ id: p.id, clinic: p.managingOrganization?.reference?.replace(/^Organization\//, ''), phi: patientToPhi(p) })),
          ...(ids.length === limit ? { next: ids[ids.length - 1] } : {}),
        };
      },
    });

    server.route({
      method: 'GET',
      path: `${prefix}/patients/{id}`,
      async handler(request: Request) {
        const id = checkId(String(request.params.id), 'id');
        const stored = await services.store.read(undefined, 'Patient', id);
        if (!stored) throw notFound(`Patient ${id} does not exist`);
        if (stored.deleted) throw gone(`Patient ${id} has been deleted`);
        const personId = await services.persons.personOf(undefined, id);
        const members = personId ? await services.persons.membersOf(undefined, personId) : [id];
        const immIds = (await Promise.all(members.map((m) => services.search.findIds(knex, 'Immunization', `patient=Patient/${m}`, 1000)))).flat();
        const imms = (await services.store.readMany(undefined, 'Immunization', immIds)) as Immunization[];
        const vaccinations = imms
          .map((i) => ({
            id: i.id,
            patientId: i.patient.reference?.replace(/^Patient\//, ''),
            vaccine: i.vaccineCode.coding?.[0]?.code,
            vaccineName: i.vaccineCode.coding?.[0]?.display,
            date: i.occurrenceDateTime,
            clinic: i.performer?.map((p) => p.actor.reference).find((r) => r?.startsWith('Organization/'))?.slice('Organization/'.length),
            status: i.status,
          }))
          .sort((a, b) => ((a.date ?? '') < (b.date ?? '') ? -1 : 1));
        return { id, personId, phi: patientToPhi(stored.content as Patient), linkedPatients: members.filter((m) => m !== id), vaccinations, status: await statusOf(deps, id) };
      },
    });

    server.route({
      method: 'POST',
      path: `${prefix}/vaccines`,
      options: { payload: { maxBytes: 64 * 1024 } },
      async handler(request: Request, h: ResponseToolkit) {
        const body = objectBody(request);
        const issues = new IssueList();
        const allowed = ['vaccine', 'provider', 'clinic', 'phi', 'date', 'recordId', 'patientId', 'lotNumber', 'status'];
        for (const k of Object.keys(body)) if (!allowed.includes(k)) issues.add('structure', `Unknown field ${k}: expected ${allowed.join(', ')}`, k);
        const input = parseVaccination(body, tracker.engine, today(), issues);
        validateVaccinationResources(deps, input);
        const [out] = await services.store.transaction(undefined, (trx) => recordVaccinations(trx, deps, input.clinic, [input]));
        const personId = await services.persons.personOf(undefined, out.patientId);
        return h
          .response({ id: out.immunizationId, patientId: out.patientId, personId, result: out.result, status: await statusOf(deps, out.patientId) })
          .code(out.result === 'created' ? 201 : 200)
          .header('Location', `/fhir/Immunization/${out.immunizationId}`);
      },
    });

    server.route({
      method: 'POST',
      path: `${prefix}/clinics/{id}/reports`,
      options: { payload: { output: 'stream', parse: false, maxBytes: 256 * 1024 * 1024, timeout: false }, timeout: { socket: false } },
      async handler(request: Request) {
        const clinic = checkClinicId(request.params.id, 'id');
        const type = String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
        if (type !== 'text/csv') throw new FhirError(415, issue('not-supported', `Reports must be sent as text/csv, got '${type.slice(0, 60) || 'no Content-Type'}'`));
        const concurrency = options.reportConcurrency ?? 2;
        const maxRows = options.reportMaxRows ?? MAX_REPORT_ROWS;
        await services.store.transaction(undefined, (trx) => ensureClinic(trx, deps, clinic));
        const result = await importReport(deps, clinic, request.payload as Readable, { today: today(), concurrency, maxRows });
        const url = `/fhir/OperationOutcome/${result.id}`;
        if (result.truncated) {
          const n = maxRows.toLocaleString('en-US');
          throw new FhirError(413, issue('too-long', `The report has more than ${n} rows: the first ${n} were processed (${result.created} created, ${result.rejected} rejected), the rest ignored; result at ${url}`));
        }
        return { ...result, result: url };
      },
    });

    server.route({
      method: 'GET',
      path: `${prefix}/clinics/{id}/reports/{reportId}`,
      async handler(request: Request, h: ResponseToolkit) {
        checkClinicId(request.params.id, 'id');
        const reportId = checkId(String(request.params.reportId), 'reportId');
        const stored = await services.store.read(undefined, 'OperationOutcome', reportId);
        const summary = stored?.content && (stored.content as { issue?: Array<{ diagnostics?: string }> }).issue?.[0]?.diagnostics;
        if (!stored?.content || !summary?.startsWith(`Clinic ${request.params.id} report:`)) throw notFound(`No report ${reportId} for clinic ${request.params.id}`);
        return h.response(stored.content).type('application/fhir+json');
      },
    });
  },
};
