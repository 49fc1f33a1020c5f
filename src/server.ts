import Hapi from '@hapi/hapi';
import type { TesseraConfig } from './config/load-config';
import type { Database } from './storage/create-database';
import { ResourceStore } from './storage/resource-store';
import { createSearchEngine } from './fhir/search';
import { createValidator } from './fhir/validation';
import type { FhirServices, OperationHandler } from './fhir/rest/request-context';
import { fhirRoutesPlugin } from './fhir/rest/http/fhir-routes';
import { errorResponsesPlugin } from './fhir/rest/http/error-responses';
import { requestLogPlugin } from './fhir/rest/http/request-log';
import { validateOperation } from './fhir/operations/validate-operation';
import { buildOperations } from './operations';
import { PersonDirectory } from './mpi/person-directory';
import { loadCdsiEngine } from './immunization/cdsi';
import { ImmunizationTracker } from './immunization/tracking';
import { clinicApiPlugin } from './clinic-api';
import { LinkageService, resolveLinkageKey } from './linkage/server';

/**
 * Composes Tessera: storage, search, validation and operations behind the hapi FHIR endpoint.
 * Nothing here starts listening; main.ts (or a test) calls server.start() / server.inject().
 */
export async function createServer(config: TesseraConfig, db: Database, env: NodeJS.ProcessEnv = process.env): Promise<{ server: Hapi.Server; services: FhirServices }> {
  const search = createSearchEngine();
  const store = new ResourceStore(db.knex, search.indexer);
  const validator = createValidator({ profilesDir: config.profilesDir });
  const persons = new PersonDirectory(db.knex);
  // Record linkage: its Patient hook must run before tracking's (master key: LINKAGE_KEY_FILE / LINKAGE_SECRET / ./data/linkage.key in development).
  const linkage = new LinkageService({ knex: db.knex, store, persons, key: resolveLinkageKey(env).key });
  linkage.install();
  // Immunization tracking hooks: register after record linkage's Patient hook (tracking follows membership).
  const cdsi = loadCdsiEngine();
  const tracker = new ImmunizationTracker({ knex: db.knex, store, persons, engine: cdsi });
  tracker.install();
  const operations: OperationHandler[] = [validateOperation, ...buildOperations({ cdsi, tracker, linkage })];
  const services: FhirServices = { knex: db.knex, store, search, persons, validator, operations, baseUrl: config.baseUrl, bodyLimitBytes: config.bodyLimitBytes };

  const server = Hapi.server({
    port: config.port,
    host: config.host,
    routes: {
      cors: { origin: ['*'], additionalHeaders: ['Prefer', 'If-None-Exist', 'If-Match'], additionalExposedHeaders: ['Location', 'Content-Location', 'ETag', 'Last-Modified'] },
    },
    router: { stripTrailingSlash: true },
  });
  server.app = { services } as never;
  await server.register({ plugin: errorResponsesPlugin, options: { bodyLimitBytes: config.bodyLimitBytes } });
  if (config.logRequests) await server.register({ plugin: requestLogPlugin, options: { log: (line) => console.log(`[tessera] ${line}`) } });
  await server.register({ plugin: fhirRoutesPlugin, options: { services, prefix: '/fhir' } });
  await server.register({ plugin: clinicApiPlugin, options: { services, tracker, prefix: '/api', reportMaxRows: config.reportMaxRows, reportConcurrency: config.reportConcurrency } });
  return { server, services };
}
