import { loadConfig } from '../../config/load-config';
import { createDatabase } from '../../storage/create-database';
import { ResourceStore } from '../../storage/resource-store';
import { createSearchEngine } from '../../fhir/search';
import { PersonDirectory } from '../../mpi/person-directory';
import { loadCdsiEngine } from '../cdsi';
import { ImmunizationTracker } from './immunization-tracker';
import { reconcileTracking } from './reconcile';

/**
 * Nightly reconciliation of immunization tracking (docs/IMMUNIZATION-TRACKING.md):
 * `npx tsx src/immunization/tracking/reconcile-cli.ts [--dry-run]`. Prints the report as JSON (ids and
 * counts only, no PHI); exit code 0 when nothing drifted, 2 when drift was found (and repaired unless --dry-run).
 */
const dryRun = process.argv.includes('--dry-run');
const config = loadConfig();
const db = await createDatabase({ url: config.databaseUrl, schema: config.databaseSchema, poolMax: 4 });
try {
  const store = new ResourceStore(db.knex, createSearchEngine().indexer);
  const tracker = new ImmunizationTracker({ knex: db.knex, store, persons: new PersonDirectory(db.knex), engine: loadCdsiEngine() });
  const report = await reconcileTracking(db.knex, tracker, { fix: !dryRun });
  console.log(JSON.stringify(report, null, 2));
  const drift = report.doseDrift.length + report.unlinkedPatients.length + report.personDrift.length + report.countDrift.length;
  process.exitCode = drift > 0 ? 2 : 0;
} finally {
  await db.close();
}
