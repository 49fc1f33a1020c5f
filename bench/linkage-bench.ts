/**
 * Record-linkage benchmark (not a test): accuracy of PHI mode, token mode and an exact name+DOB baseline on the
 * FEBRL sets, tokenisation throughput, and end-to-end CLI time of a 5,000 × 5,000 link. Needs ../shared (skips
 * without it). Writes the "## Record linkage" section of bench/RESULTS.md.
 *   npx tsx bench/linkage-bench.ts [--no-write]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import { evaluatePairs, truePairs, type LinkageMetrics } from '../src/linkage/eval/metrics';
import { masterKeyFromSecret } from '../src/linkage/keys';
import { comparePhi } from '../src/linkage/match/compare-phi';
import { linkRecords, type LinkResult } from '../src/linkage/match/link-records';
import { scoreComparison } from '../src/linkage/match/score-pair';
import { normalizePerson } from '../src/linkage/normalize/normalize-person';
import type { NormalizedPerson, PersonPhi } from '../src/linkage/person';
import { prepareSource } from '../src/linkage/prepare';
import { computeTokens } from '../src/linkage/tokens/compute-tokens';
import { fromSiteTokens, toSiteTokens } from '../src/linkage/tokens/site-tokens';
import { benchCases, generatedTwoFile, readFebrl, type BenchCase } from './linkage-data';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const KEY = masterKeyFromSecret('linkage-bench-master-secret-0123456789');

/** Deterministic baseline: exact match on normalised given name + family name + DOB. */
function baseline(c: BenchCase): Array<[string, string]> {
  const keyOf = (n: NormalizedPerson) => (n.given && n.family && n.dob ? `${n.given}|${n.family}|${n.dob}` : '');
  const group = (ids: string[], persons: PersonPhi[]) => {
    const m = new Map<string, string[]>();
    persons.forEach((p, i) => {
      const k = keyOf(normalizePerson(p));
      if (!k) return;
      (m.get(k) ?? m.set(k, []).get(k)!).push(ids[i]!);
    });
    return m;
  };
  const ga = group(c.a.ids, c.a.persons);
  const out: Array<[string, string]> = [];
  if (!c.b) {
    for (const l of ga.values()) for (let i = 0; i < l.length; i++) for (let j = i + 1; j < l.length; j++) out.push([l[i]!, l[j]!]);
    return out;
  }
  const gb = group(c.b.ids, c.b.persons);
  for (const [k, la] of ga) for (const x of la) for (const y of gb.get(k) ?? []) out.push([x, y]);
  return out;
}

const fmt = (m: LinkageMetrics) => `${m.precision.toFixed(4)} / ${m.recall.toFixed(4)} / **${m.f1.toFixed(4)}**`;

/** Why PHI mode missed true pairs: the hard rule that kept each missed pair below "match", else blocking/clustering. */
function missCauses(truth: Set<string>, r: LinkResult, persons: Map<string, NormalizedPerson>): string {
  const got = new Set(r.pairs.map((p) => (p.left < p.right ? `${p.left}\u0000${p.right}` : `${p.right}\u0000${p.left}`)));
  const count = new Map<string, number>();
  for (const k of truth) {
    if (got.has(k)) continue;
    const [x, y] = k.split('\u0000');
    const s = scoreComparison(comparePhi(persons.get(x!)!, persons.get(y!)!), r.model);
    const cause = s.rules.length ? s.rules.join('+') : s.outcome === 'match' ? 'not a candidate / clustering' : 'weights';
    count.set(cause, (count.get(cause) ?? 0) + 1);
  }
  return [...count].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ') || '—';
}

const missRows: string[] = [];
/** F1 per data set and mode, for the target statements. */
const f1s: Array<{ name: string; phi: number; token: number }> = [];

function accuracyRows(cases: BenchCase[]): string[] {
  const rows: string[] = [];
  for (const c of cases) {
    const truth = truePairs(c.a.ids, c.b?.ids);
    const a = prepareSource(c.a.ids, c.a.persons, KEY);
    const b = c.b ? prepareSource(c.b.ids, c.b.persons, KEY) : undefined;
    // Token mode goes through site sealing as a clinic would send them.
    const viaSite = (s: typeof a, site: string) => ({ ids: s.ids, tokens: s.tokens.map((t) => fromSiteTokens(toSiteTokens(t, KEY, site), KEY)) });
    const ta = viaSite(a, 'site-a');
    const tb = b ? viaSite(b, 'site-b') : undefined;
    const ev = (pairs: Array<{ left: string; right: string }>) => evaluatePairs(pairs.map((p) => [p.left, p.right]), truth);
    let t0 = performance.now();
    const phi = linkRecords(a, b, { mode: 'phi' });
    const phiMs = performance.now() - t0;
    t0 = performance.now();
    const tok = linkRecords(ta, tb, { mode: 'token' });
    const tokMs = performance.now() - t0;
    const phiNoRules = linkRecords(a, b, { mode: 'phi', hardRules: false });
    const tokNoRules = linkRecords(ta, tb, { mode: 'token', hardRules: false });
    const base = evaluatePairs(baseline(c), truth);
    const byId = new Map<string, NormalizedPerson>();
    a.ids.forEach((id, i) => byId.set(id, a.persons[i]!));
    b?.ids.forEach((id, i) => byId.set(id, b.persons[i]!));
    const phiM = ev(phi.pairs);
    f1s.push({ name: c.name, phi: phiM.f1, token: ev(tok.pairs).f1 });
    missRows.push(`| ${c.name} | ${phiM.falseNegatives} | ${phiM.falsePositives} | ${missCauses(truth, phi, byId)} |`);
    rows.push(
      `| ${c.name} | ${truth.size} | ${fmt(ev(phi.pairs))} | ${fmt(ev(tok.pairs))} | ${fmt(base)} | ${ev(phiNoRules.pairs).f1.toFixed(4)} / ${ev(tokNoRules.pairs).f1.toFixed(4)} | ${phi.candidates} | ${Math.round(phiMs)} / ${Math.round(tokMs)} |`,
    );
    console.log(rows.at(-1));
  }
  return rows;
}

/** Normalise + master tokens, records per CPU-second (for the target statement). */
let tokenisationRate = 0;
/** Slowest end-to-end 5,000 × 5,000 link (PHI or token mode), ms. */
let slowestLinkMs = 0;

function throughput(): string[] {
  // JIT warm-up on another data set and key; each timed repetition then uses a fresh master key, so the per-key
  // Bloom-encoding and HMAC memo caches start cold (as in a fresh `tessera tokenize` process).
  const warm = readFebrl('febrl2.csv');
  for (let w = 0; w < 3; w++) {
    const warmKey = masterKeyFromSecret(`linkage-bench-warm-up-secret-${w}-0123456789`);
    for (const p of warm.persons) toSiteTokens(computeTokens(normalizePerson(p), warmKey), warmKey, 'w');
  }
  const d = readFebrl('febrl3.csv');
  const reps = 5;
  let bestTok = Infinity;
  let bestNorm = Infinity;
  let bestSeal = Infinity;
  // CPU time of this process (one core): less distorted than wall time when other jobs share the machine.
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  for (let r = 0; r < reps; r++) {
    const key = masterKeyFromSecret(`linkage-bench-throughput-${r}-0123456789abcdef`);
    let t0 = cpuMs();
    const ns = d.persons.map((p) => normalizePerson(p));
    bestNorm = Math.min(bestNorm, cpuMs() - t0);
    t0 = cpuMs();
    const ts = ns.map((n) => computeTokens(n, key));
    bestTok = Math.min(bestTok, cpuMs() - t0);
    t0 = cpuMs();
    for (const t of ts) toSiteTokens(t, key, 'site-a');
    bestSeal = Math.min(bestSeal, cpuMs() - t0);
  }
  const rate = (ms: number) => Math.round((d.ids.length / ms) * 1000).toLocaleString('en-US');
  tokenisationRate = (d.ids.length / (bestNorm + bestTok)) * 1000;
  // (rates below are records per CPU-second of one core)
  return [
    `| normalise (PHI → NormalizedPerson) | ${rate(bestNorm)} records/s |`,
    `| compute master tokens (exact HMACs + Bloom filters) | ${rate(bestTok)} records/s |`,
    `| **normalise + master tokens** | **${rate(bestNorm + bestTok)} records/s** |`,
    `| seal site tokens (AES-256-GCM) | ${rate(bestSeal)} records/s |`,
    `| normalise + tokens + site sealing | ${rate(bestNorm + bestTok + bestSeal)} records/s |`,
  ];
}

function toFebrlCsv(ids: string[], persons: PersonPhi[]): string {
  return stringify([
    ['rec_id', 'given_name', 'surname', 'street_number', 'address_1', 'address_2', 'suburb', 'postcode', 'state', 'date_of_birth', 'soc_sec_id'],
    ...persons.map((p, i) => [ids[i]!, p.given, p.family, p.streetNumber, p.addressLine, p.addressLine2, p.city, p.postcode, p.state, p.birthDate, p.nationalId].map((v) => v ?? '')),
  ]);
}

function cliTimings(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-linkage-bench-'));
  const c = generatedTwoFile();
  const fa = join(dir, 'a.csv');
  const fb = join(dir, 'b.csv');
  writeFileSync(fa, toFebrlCsv(c.a.ids, c.a.persons));
  writeFileSync(fb, toFebrlCsv(c.b!.ids, c.b!.persons));
  const key = join(dir, 'secret');
  writeFileSync(key, 'linkage-bench-cli-secret-0123456789abcdef');
  const run = (args: string[], stdout?: string) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/tessera.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 30, timeout: 120_000 });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`tessera ${args.join(' ')} failed: ${r.stderr}`);
    if (stdout) writeFileSync(stdout, r.stdout);
    return { ms, out: r.stdout };
  };
  const f1 = (pairs: string) => run(['eval', '--pairs', pairs, fa, fb]).out.match(/f1: ([\d.]+)/)?.[1];
  const phi = run(['link', fa, fb, '--out', join(dir, 'p-phi.csv'), '-q']);
  const tokA = run(['tokenize', '--key-file', key, '--site', 'clinic-a', fa], join(dir, 'ta.csv'));
  const tokB = run(['tokenize', '--key-file', key, '--site', 'clinic-b', fb], join(dir, 'tb.csv'));
  const tok = run(['link', '--tokens', '--key-file', key, join(dir, 'ta.csv'), join(dir, 'tb.csv'), '--out', join(dir, 'p-tok.csv'), '-q']);
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  slowestLinkMs = Math.max(phi.ms, tok.ms);
  return [
    `| \`tessera link a.csv b.csv\` (PHI mode, 5,000 × 5,000) | ${s(phi.ms)} | F1 ${f1(join(dir, 'p-phi.csv'))} |`,
    `| \`tessera tokenize --site\` (5,000 records, each site) | ${s(tokA.ms)} / ${s(tokB.ms)} | |`,
    `| \`tessera link --tokens\` (token mode, 5,000 × 5,000) | ${s(tok.ms)} | F1 ${f1(join(dir, 'p-tok.csv'))} |`,
  ];
}

function machine(): string {
  const nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  return `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, nproc ${nproc}, CPU ${cpus()[0]?.model ?? 'unknown'}`;
}

function main(): void {
  const cases = benchCases();
  if (!cases) {
    console.log('linkage bench skipped: ../shared/data/linkage not found');
    return;
  }
  // Throughput first, in a small heap (as in a fresh `tessera tokenize` process).
  const thr = throughput();
  thr.forEach((r) => console.log(r));
  const acc = accuracyRows(cases);
  const cli = cliTimings();
  cli.forEach((r) => console.log(r));
  const met = (ok: (r: (typeof f1s)[number]) => boolean) => {
    const miss = f1s.filter((r) => !ok(r)).map((r) => r.name);
    return miss.length === 0 ? 'met on every set' : `not met on ${miss.join('; ')} (met on ${f1s.length - miss.length} of ${f1s.length} sets)`;
  };
  const section = `## Record linkage

Produced by \`npx tsx bench/linkage-bench.ts\` on ${machine()}. Single process (one core).
Cells are precision / recall / **F1** against the FEBRL ground truth (rec-N-org / rec-N-dup-K = entity N).
PHI mode: fuzzy comparators on normalised fields. Token mode: only tokens, each site's tokens sealed for that site
and opened with the master key, as \`tessera link --tokens\` does. Baseline: exact match on normalised given name +
family name + DOB. m/u weights are re-estimated by EM on each run's candidate pairs. "No hard rules" shows F1 with the
twin / parent-child / Jr-Sr rules switched off (\`--no-hard-rules\`), i.e. what those safety rules cost on FEBRL, whose
generator creates duplicates by replacing the given name (indistinguishable from twins) or the whole date of birth.
Hard rules (docs/LINKAGE.md §5): a given name counts as conflicting only when it is genuinely another name (not
nickname-equivalent, an initial, a middle name, swapped with the family name, or one/two keying errors apart); national
ids two keying errors apart vouch for the person unless they look consecutively issued; the parent-child cap needs a
DOB gap of a generation (≥ 15 years).
The generated 5,000 × 5,000 case: A = 5,000 originals of febrl2+febrl3, B = corrupted copies of 4,000 of them
(1–3 of: typo, missing value, DOB digit error or day/month swap, national-id or postcode digit error) + 1,000 others.

| Data set | True pairs | PHI mode | Token mode | Baseline (name+DOB) | No hard rules (PHI / token F1) | Candidates | Link ms (PHI / token) |
|---|---|---|---|---|---|---|---|
${acc.join('\n')}

Why PHI mode still misses true pairs (false negatives by the hard rule that kept the pair below "match"; pairs the
rules vetoed or capped are exactly the patterns of the adversarial cases — e.g. \`given-conflict\`: same surname, DOB
and address, a different first name and an unrelated national id, which is what a twin looks like;
\`id-conflict\`: a given name missing and unrelated ids; \`dob-conflict\`: same name and address, DOBs a generation
apart, i.e. father and son):

| Data set | PHI false negatives | PHI false positives | Misses by cause (pairs) |
|---|---|---|---|
${missRows.join('\n')}

**Target PHI F1 ≥ 0.999: ${met((r) => r.phi >= 0.999)}.** The FEBRL generator
makes some duplicates by replacing the first name and the national id together (febrl1 rec-305: Amelia / Edward Ryan,
same DOB and address, unrelated ids) — by the issue's own definition a twin pair, which must not be merged; febrl1 has
500 true pairs, so one such pair alone caps F1 at 0.998999. The rule-caused misses in the table are of that kind
(twin-, sibling-, parent-like patterns; "not a candidate / clustering" pairs were never blocked together or were kept
apart by a cannot-link with a third record); linking them needs the hard rules off, which drops precision on the hard
set ("No hard rules" column). **Token mode F1 ≥ 0.99: ${met((r) => r.token >= 0.99)}.**

Tokenisation throughput (febrl3, 5,000 records, in-process, records per CPU-second of one core, best of 5 runs each\nunder a fresh master key so the per-key caches are cold; the machine is shared with other jobs — load average below):

| Step | Throughput |
|---|---|
${thr.join('\n')}

Load average when measured: ${loadavg().map((x) => x.toFixed(2)).join(', ')}. **Target ≥ 20,000 records/s (normalise + master
tokens, one core): ${tokenisationRate >= 20000 ? 'met' : 'not met in this run'}** (the token code is CPU-bound and the rate drops
when other jobs share the machine; see the load average).

End-to-end targets: **5,000 × 5,000 link < 10 s: ${slowestLinkMs < 10000 ? 'met' : 'not met'}** (slowest mode ${(slowestLinkMs / 1000).toFixed(2)} s, wall time).

End-to-end CLI wall time (process start, CSV parse, normalise/tokenise, blocking, EM, scoring, clustering, CSV write):

| Command | Wall time | Accuracy |
|---|---|---|
${cli.join('\n')}
`;
  if (process.argv.includes('--no-write')) return;
  const path = join(ROOT, 'bench/RESULTS.md');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '# Tessera benchmark results\n';
  const start = text.indexOf('## Record linkage');
  let next = start < 0 ? -1 : text.indexOf('\n## ', start + 3);
  let updated: string;
  if (start < 0) updated = text.trimEnd() + '\n\n' + section;
  else {
    if (next < 0) next = text.length;
    else next += 1;
    updated = text.slice(0, start) + section + (next < text.length ? '\n' + text.slice(next) : '');
  }
  writeFileSync(path, updated);
  console.log('updated bench/RESULTS.md');
}

main();
