/** Tessera's runtime configuration, read once from the environment by main.ts and passed down. */
export interface TesseraConfig {
  /** TCP port of the HTTP server (env PORT, default 8080). */
  port: number;
  /** Interface to bind (env HOST, default 127.0.0.1: secure by default; 0.0.0.0 to expose). */
  host: string;
  /** Public base URL of the FHIR endpoint, used in Location headers and Bundle links (env BASE_URL). */
  baseUrl: string;
  /** `memory://`, a directory for embedded PGlite, or a postgres:// URL (env DATABASE_URL, default ./data/pglite). */
  databaseUrl: string;
  /** Postgres schema to use (env DATABASE_SCHEMA, default public). Tests use one schema per run. */
  databaseSchema: string;
  /** Largest accepted request body in bytes (env BODY_LIMIT_BYTES, default 10 MiB). */
  bodyLimitBytes: number;
  /** Load the demo data in seeds/ at start when the database is empty (env SEED_DEMO, default true). */
  seedDemo: boolean;
  /** Directory of StructureDefinitions Tessera enforces (env PROFILES_DIR, default ./fhir-profiles). */
  profilesDir: string;
  /** Postgres connection pool size (env DATABASE_POOL_MAX, default 10; PGlite always uses 1). */
  poolMax: number;
  /** One PHI-free log line per request (env LOG_REQUESTS, default true; tests turn it off). */
  logRequests: boolean;
  /** Largest number of data rows in one clinic CSV report (env REPORT_MAX_ROWS, default 100000). */
  reportMaxRows: number;
  /** Chunk transactions one CSV report import runs at once (env REPORT_CONCURRENCY, default 2). */
  reportConcurrency: number;
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

function positiveIntFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const n = intFromEnv(env, name, fallback);
  if (n < 1) throw new Error(`${name} must be a positive integer, got "${env[name]}"`);
  return n;
}

/** Reads the configuration from an environment (process.env by default); throws on malformed values. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): TesseraConfig {
  const port = intFromEnv(env, 'PORT', 8080);
  const host = env.HOST || '127.0.0.1';
  const publicHost = ['0.0.0.0', '::', '127.0.0.1'].includes(host) ? 'localhost' : host;
  return {
    port,
    host,
    baseUrl: (env.BASE_URL || `http://${publicHost}:${port}/fhir`).replace(/\/+$/, ''),
    databaseUrl: env.DATABASE_URL || './data/pglite',
    databaseSchema: env.DATABASE_SCHEMA || 'public',
    bodyLimitBytes: intFromEnv(env, 'BODY_LIMIT_BYTES', 10 * 1024 * 1024),
    seedDemo: !['0', 'false', 'no'].includes((env.SEED_DEMO ?? 'true').toLowerCase()),
    profilesDir: env.PROFILES_DIR || 'fhir-profiles',
    poolMax: intFromEnv(env, 'DATABASE_POOL_MAX', 10),
    logRequests: !['0', 'false', 'no'].includes((env.LOG_REQUESTS ?? 'true').toLowerCase()),
    reportMaxRows: positiveIntFromEnv(env, 'REPORT_MAX_ROWS', 100_000),
    reportConcurrency: positiveIntFromEnv(env, 'REPORT_CONCURRENCY', 2),
  };
}
