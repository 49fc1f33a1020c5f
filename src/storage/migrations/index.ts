import type { Knex } from 'knex';
import * as m01 from './20261123-01-extensions';
import * as m02 from './20261123-02-resource-tables';
import * as m04 from './20261123-04-person-index';
import * as m03 from './20261123-03-search-index';
import * as m05 from './20261123-05-immunization-tracking';
import * as m06 from './20261123-06-linkage';
import * as m07 from './20261123-07-search-page-order';
import * as m09 from './20261123-09-linkage-block-hash';
import * as m08 from './20261123-08-count-tree';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Every migration, in order. Listed explicitly (not globbed) so they run the same under tsx,
 * vitest and the knex CLI. Add new ones at the end: `YYYYMMDD-NN-what-it-does.ts`.
 */
export const MIGRATIONS: Array<[name: string, migration: Migration]> = [
  ['20261123-01-extensions', m01],
  ['20261123-02-resource-tables', m02],
  ['20261123-03-search-index', m03],
  ['20261123-04-person-index', m04],
  ['20261123-05-immunization-tracking', m05],
  ['20261123-06-linkage', m06],
  ['20261123-07-search-page-order', m07],
  ['20261123-08-count-tree', m08],
  ['20261123-09-linkage-block-hash', m09],
];

/** A knex MigrationSource over MIGRATIONS. */
export class TesseraMigrationSource implements Knex.MigrationSource<string> {
  async getMigrations(): Promise<string[]> {
    return MIGRATIONS.map(([name]) => name);
  }
  getMigrationName(name: string): string {
    return name;
  }
  async getMigration(name: string): Promise<Knex.Migration> {
    const found = MIGRATIONS.find(([n]) => n === name);
    if (!found) throw new Error(`unknown migration ${name}`);
    return found[1];
  }
}
