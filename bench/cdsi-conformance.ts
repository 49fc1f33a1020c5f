/**
 * CDC CDSi conformance + speed of the immunization engine. Run: `npx tsx bench/cdsi-conformance.ts`.
 * Reads the repo copy of the CDC sample test cases (test/fixtures/cdsi/cdsi_testcases_sample.json), reports the pass
 * rate per vaccine group (dose evaluation statuses + series status, and forecast dose number / earliest / recommended /
 * past due dates) and the time per patient history, and rewrites the `## CDSi conformance` section of bench/RESULTS.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Parameters, Patient } from 'fhir/r4';
import { loadCdsiEngine } from '../src/immunization/cdsi/index';
import { cdcCaseInput, runCdcCase, type CdcTestCase } from '../src/immunization/cdsi/cdc-test-case';
import { runImmdsForecast } from '../src/immunization/forecast/immds-forecast-operation';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cases = Object.values(JSON.parse(readFileSync(join(root, 'test/fixtures/cdsi/cdsi_testcases_sample.json'), 'utf8'))) as CdcTestCase[];

const loadStart = performance.now();
const engine = loadCdsiEngine(join(root, 'seeds'));
const loadMs = performance.now() - loadStart;

interface Tally { cases: number; evaluation: number; forecast: number; pass: number }
const byGroup = new Map<string, Tally>();
const failures: string[] = [];
for (const tc of cases) {
  const o = runCdcCase(engine, tc);
  const t = byGroup.get(o.vaccineGroup) ?? { cases: 0, evaluation: 0, forecast: 0, pass: 0 };
  t.cases++; if (o.evaluationPass) t.evaluation++; if (o.forecastPass) t.forecast++; if (o.pass) t.pass++;
  byGroup.set(o.vaccineGroup, t);
  if (!o.pass) failures.push(`${o.id} (${o.vaccineGroup}): ${o.differences.join('; ')}`);
}

/** Times `fn` over every case for up to `budgetMs`, returning ms per call (mean, p95). */
function time(fn: (tc: CdcTestCase) => void, budgetMs = 4000): { mean: number; p95: number; n: number } {
  const samples: number[] = [];
  const start = performance.now();
  for (const tc of cases) fn(tc); // warm-up
  while (performance.now() - start < budgetMs) {
    for (const tc of cases) {
      const t0 = performance.now();
      fn(tc);
      samples.push(performance.now() - t0);
    }
  }
  samples.sort((a, b) => a - b);
  return { mean: samples.reduce((a, b) => a + b, 0) / samples.length, p95: samples[Math.floor(samples.length * 0.95)], n: samples.length };
}

const oneGroup = time((tc) => engine.evaluate(cdcCaseInput(tc)));
const allGroups = time((tc) => { const input = cdcCaseInput(tc); delete input.vaccineGroups; engine.evaluate(input); });
const patientOf = (tc: CdcTestCase): Patient => ({ resourceType: 'Patient', id: 'p', gender: tc.patient.gender === 'M' ? 'male' : 'female', birthDate: tc.patient.dob.slice(0, 10) });
const toParameters = (tc: CdcTestCase): Parameters => ({
  resourceType: 'Parameters',
  parameter: [
    { name: 'assessmentDate', valueDate: tc.assessmentDate.slice(0, 10) },
    { name: 'patient', resource: patientOf(tc) },
    ...tc.doses.map((d, i) => ({
      name: 'immunization',
      resource: {
        resourceType: 'Immunization' as const, id: `i${i}`, status: 'completed' as const, patient: { reference: 'Patient/p' },
        vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: d.cvx }] }, occurrenceDateTime: d.dateAdministered.slice(0, 10),
      },
    })),
  ],
});
const fhirParams = new Map(cases.map((tc) => [tc, toParameters(tc)]));
const fhir = time((tc) => runImmdsForecast(fhirParams.get(tc)!, engine));

const total = [...byGroup.values()].reduce((a, t) => ({ cases: a.cases + t.cases, evaluation: a.evaluation + t.evaluation, forecast: a.forecast + t.forecast, pass: a.pass + t.pass }), { cases: 0, evaluation: 0, forecast: 0, pass: 0 });
const pct = (n: number, d: number) => `${((100 * n) / d).toFixed(1)}%`;
const rows = [...byGroup.entries()].sort(([a], [b]) => a.localeCompare(b))
  .map(([g, t]) => `| ${g} | ${t.cases} | ${t.evaluation} (${pct(t.evaluation, t.cases)}) | ${t.forecast} (${pct(t.forecast, t.cases)}) | ${t.pass} (${pct(t.pass, t.cases)}) |`);
const ms = (x: number) => x.toFixed(3);
const section = [
  '## CDSi conformance',
  '',
  `Produced by \`npx tsx bench/cdsi-conformance.ts\` on ${new Date().toISOString().slice(0, 10)} (Node ${process.version}).`,
  `CDC CDSi sample test cases (\`test/fixtures/cdsi/cdsi_testcases_sample.json\`, ${cases.length} cases) against the engine in`,
  '`src/immunization/cdsi` driven by `seeds/cdsi`. "Evaluation" = every dose status (+ reason for not-valid/extraneous doses) and the',
  'series status match; "Forecast" = dose number, earliest, recommended and past-due dates match (or no forecast when none is expected).',
  '',
  '| Vaccine group | Cases | Evaluation | Forecast | Both |',
  '|---|---|---|---|---|',
  ...rows,
  `| **All** | ${total.cases} | ${total.evaluation} (${pct(total.evaluation, total.cases)}) | ${total.forecast} (${pct(total.forecast, total.cases)}) | ${total.pass} (${pct(total.pass, total.cases)}) |`,
  '',
  failures.length === 0 ? 'Failing cases: none.' : `Failing cases:\n\n${failures.map((f) => `- ${f}`).join('\n')}`,
  '',
  'Speed (ms per patient history, one run = evaluate + forecast; timed over every sample case for ~4 s each):',
  '',
  '| Run | mean ms | p95 ms | runs |',
  '|---|---|---|---|',
  `| engine, the case's vaccine group | ${ms(oneGroup.mean)} | ${ms(oneGroup.p95)} | ${oneGroup.n} |`,
  `| engine, all ${engine.vaccineGroups.length} vaccine groups | ${ms(allGroups.mean)} | ${ms(allGroups.p95)} | ${allGroups.n} |`,
  `| \`runImmdsForecast\` (FHIR Parameters in/out, all groups) | ${ms(fhir.mean)} | ${ms(fhir.p95)} | ${fhir.n} |`,
  '',
  `Loading and indexing the supporting data once: ${loadMs.toFixed(0)} ms. Machine: ${cpus().length} CPUs, 1-min load average ${loadavg()[0].toFixed(1)} during the run (timings are noisy on a busy machine).`,
  '',
].join('\n');

const resultsPath = join(root, 'bench/RESULTS.md');
const current = existsSync(resultsPath) ? readFileSync(resultsPath, 'utf8') : '# Tessera benchmark results\n';
const start = current.indexOf('## CDSi conformance');
let next: string;
if (start < 0) {
  next = `${current.trimEnd()}\n\n${section}`;
} else {
  const after = current.indexOf('\n## ', start + 1);
  next = current.slice(0, start) + section + (after < 0 ? '' : `\n${current.slice(after + 1)}`);
}
writeFileSync(resultsPath, next.endsWith('\n') ? next : `${next}\n`);
console.log(section);
