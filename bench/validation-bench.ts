/**
 * Validation throughput: validations per second of the official patient example (and an
 * Immunization against the Tessera profile) after warm-up, per layer. Not a test; bounded in time.
 * Run: npx tsx bench/validation-bench.ts
 */
import { readFileSync } from 'node:fs';
import { createValidator } from '../src/fhir/validation/index';
import { validateJsonSchema } from '../src/fhir/validation/json-schema-layer';

const SECONDS_PER_CASE = 2;

function measure(label: string, fn: () => unknown): void {
  for (let i = 0; i < 200; i++) fn(); // warm-up: compile schema, FHIRPath, value sets
  let n = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(SECONDS_PER_CASE * 1e9);
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
    elapsed = process.hrtime.bigint() - start;
  }
  const secs = Number(elapsed) / 1e9;
  console.log(`${label.padEnd(48)} ${Math.round(n / secs).toString().padStart(8)} validations/s  (${((secs / n) * 1e6).toFixed(1)} µs each)`);
}

const validator = createValidator({ profilesDir: new URL('../fhir-profiles', import.meta.url).pathname });
const patient = JSON.parse(readFileSync(new URL('../test/fixtures/fhir-examples/json/patient-example.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const immunization = JSON.parse(readFileSync(new URL('../test/fixtures/fhir-examples/json/immunization-example.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const bundle = JSON.parse(readFileSync(new URL('../test/fixtures/fhir-examples/json/msfhir-Bundle-Transaction.json', import.meta.url), 'utf8')) as Record<string, unknown>;

measure('patient-example: JSON schema only', () => validateJsonSchema(patient, 'Patient'));
measure('patient-example: full validate()', () => validator.validate(patient));
measure('immunization-example: full validate()', () => validator.validate(immunization));
measure('immunization-example + tessera-immunization', () =>
  validator.validate(immunization, { profiles: ['https://tessera.health/fhir/StructureDefinition/tessera-immunization'] }),
);
measure('msfhir-Bundle-Transaction (10 entries)', () => validator.validate(bundle));
