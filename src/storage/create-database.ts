import { mkdirSync } from 'node:fs';
import knexFactory, { type Knex } from 'knex';

/** Which engine is behind the knex instance. The SQL is the same on both. */
export type DatabaseKind = 'pglite' | 'postgres';

export interface Database {
  knex: Knex;
  kind: DatabaseKind;
  /** The Postgres schema holding Tessera's tables. */
  schema: string;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** `memory://`, a directory path (embedded PGlite) or a postgres:// URL. */
  url: string;
  /** Postgres schema (created if missing). */
  schema?: string;
  poolMax?: number;
}

/** Extensions later capabilities rely on; created by the first migration on both engines. */
export const REQUIRED_EXTENSIONS = ['btree_gist', 'cube', 'earthdistance', 'pg_trgm', 'fuzzystrmatch', 'unaccent', 'pgcrypto'];

/** Opens the database: PGlite (embedded, one connection) or a node-postgres pool. */
export async function createDatabase(options: DatabaseOptions): Promise<Database> {
  const schema = options.schema ?? 'public';
  const isPostgres = /^postgres(ql)?:\/\//.test(options.url);
  let knex: Knex;
  if (isPostgres) {
    knex = knexFactory({
      client: 'pg',
      connection: options.url,
      searchPath: [schema, 'public'],
      pool: { min: 0, max: options.poolMax ?? 10 },
    });
  } else {
    const dataDir = options.url === 'memory://' ? undefined : options.url.replace(/^file:\/\//, '');
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    // Loaded only for the embedded engine: a server on Postgres never pays for PGlite's modules.
    const [{ PGlite }, { default: ClientPgLite }, { btree_gist }, { cube }, { earthdistance }, { pg_trgm }, { fuzzystrmatch }, { unaccent }, { pgcrypto }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('knex-pglite'),
      import('@electric-sql/pglite/contrib/btree_gist'),
      import('@electric-sql/pglite/contrib/cube'),
      import('@electric-sql/pglite/contrib/earthdistance'),
      import('@electric-sql/pglite/contrib/pg_trgm'),
      import('@electric-sql/pglite/contrib/fuzzystrmatch'),
      import('@electric-sql/pglite/contrib/unaccent'),
      import('@electric-sql/pglite/contrib/pgcrypto'),
    ]);
    const pglite = await PGlite.create({
      dataDir,
      extensions: { btree_gist, cube, earthdistance, pg_trgm, fuzzystrmatch, unaccent, pgcrypto },
    });
    knex = knexFactory({ client: ClientPgLite as unknown as typeof knexFactory.Client, connection: { pglite } as never, searchPath: [schema, 'public'] });
  }
  if (schema !== 'public') await knex.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
  return {
    knex,
    kind: isPostgres ? 'postgres' : 'pglite',
    schema,
    close: () => knex.destroy(),
  };
}
