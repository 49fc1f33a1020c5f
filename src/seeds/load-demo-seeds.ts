import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle } from 'fhir/r4';
import { processBundle } from '../fhir/bundle/process-bundle';
import type { FhirServices } from '../fhir/rest/request-context';
import { ANONYMOUS } from '../fhir/rest/request-context';

/**
 * Loads the demo transaction Bundles in seeds/demo (clinics, practitioners, patients,
 * immunizations, appointments, prescriptions) through the normal transaction path, so they are
 * validated and indexed like any client write. Entries use conditional creates, so loading
 * twice adds nothing. Returns the number of resources created.
 */
export async function loadDemoSeeds(services: FhirServices, dir = 'seeds/demo'): Promise<number> {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return 0;
  }
  let created = 0;
  for (const file of files) {
    const bundle = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Bundle;
    const res = await processBundle({ services, principal: ANONYMOUS, now: () => new Date() }, bundle);
    created += ((res.resource as Bundle).entry ?? []).filter((e) => e.response?.status === '201').length;
  }
  return created;
}
