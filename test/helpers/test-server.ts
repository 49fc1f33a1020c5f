import { Client } from 'fhir-kit-client';
import type { Server } from '@hapi/hapi';
import { loadConfig } from '../../src/config/load-config';
import type { TesseraConfig } from '../../src/config/load-config';
import { createServer } from '../../src/server';
import type { FhirServices } from '../../src/fhir/rest/request-context';
import type { Database } from '../../src/storage/create-database';
import { createTestDatabase } from './test-database';

/**
 * fhir-kit-client with loose argument and result types: its own FhirResource type does not accept
 * @types/fhir resources, and tests cast results to the R4 type they expect.
 */
export type FhirClient = { [K in keyof Client]: Client[K] extends (...args: never[]) => unknown ? (...args: any[]) => Promise<any> : Client[K] };

export interface TestServer {
  /** e.g. http://127.0.0.1:41234/fhir */
  baseUrl: string;
  client: FhirClient;
  server: Server;
  services: FhirServices;
  db: Database;
  /** fetch() against the server with a path relative to the FHIR base. */
  http(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * Starts the real Tessera server on a loopback port over a fresh test database (PGlite, or the
 * Postgres in DATABASE_URL in its own schema). Each test file gets its own server and data.
 */
export async function startTestServer(overrides: Partial<TesseraConfig> = {}): Promise<TestServer> {
  const db = await createTestDatabase();
  const config: TesseraConfig = { ...loadConfig({}), port: 0, host: '127.0.0.1', seedDemo: false, logRequests: false, ...overrides };
  const { server, services } = await createServer(config, db);
  await server.start();
  const baseUrl = `http://127.0.0.1:${server.info.port}/fhir`;
  services.baseUrl = baseUrl;
  const client = new Client({ baseUrl }) as unknown as FhirClient;
  return {
    baseUrl,
    client,
    server,
    services,
    db,
    http: (path, init) => fetch(`${baseUrl}${path.startsWith('/') || path === '' ? '' : '/'}${path}`, init),
    async stop() {
      await server.stop({ timeout: 1000 });
      await db.close();
    },
  };
}

/** The status and OperationOutcome of a fhir-kit-client failure. */
export function clientError(err: unknown): { status: number; data: any } {
  const e = err as { response?: { status: number; data: unknown } };
  if (!e.response) throw err;
  return { status: e.response.status, data: e.response.data };
}

/** Runs `fn`, expecting it to fail with an HTTP error; returns status and body. */
export async function expectHttpError(fn: () => Promise<unknown>): Promise<{ status: number; data: any }> {
  try {
    await fn();
  } catch (err) {
    return clientError(err);
  }
  throw new Error('expected the request to fail');
}
