import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = join(ROOT, 'test/fixtures/linkage/febrl1-sample.csv');

function tessera(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/tessera.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const f1Of = (out: string) => Number(out.match(/^f1: ([\d.]+)$/m)?.[1]);

describe('tessera CLI', () => {
  let dir: string;
  let secret: string;
  let half: { a: string; b: string };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
    secret = join(dir, 'secret.key');
    writeFileSync(secret, 'cli-test-master-secret-0123456789abcdef\n');
    // Split the fixture into two clinics' files: originals and duplicates.
    const lines = readFileSync(FIXTURE, 'utf8').trim().split('\n');
    const a = [lines[0]!, ...lines.slice(1).filter((l) => l.includes('-org'))];
    const b = [lines[0]!, ...lines.slice(1).filter((l) => l.includes('-dup-'))];
    half = { a: join(dir, 'a.csv'), b: join(dir, 'b.csv') };
    writeFileSync(half.a, a.join('\n') + '\n');
    writeFileSync(half.b, b.join('\n') + '\n');
  });

  test('--help', () => {
    const r = tessera('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('tokenize');
    expect(r.stdout).toContain('link');
    expect(r.stdout).toContain('eval');
  });

  test('tokenize → link --tokens → eval, end to end with two sites', () => {
    const ta = tessera('tokenize', '--key-file', secret, '--site', 'clinic-a', half.a);
    const tb = tessera('tokenize', '--key-file', secret, '--site', 'clinic-b', half.b);
    expect(ta.code, ta.stderr).toBe(0);
    expect(tb.code, tb.stderr).toBe(0);
    expect(ta.stdout.split('\n')[0]).toBe('rec_id,site,key_version,sealed');
    // No PHI: no name, street or date of the input appears in the output.
    for (const v of ['harrington', 'maltby', '19150612', '9004242']) expect(ta.stdout + tb.stdout).not.toContain(v);
    writeFileSync(join(dir, 'ta.csv'), ta.stdout);
    writeFileSync(join(dir, 'tb.csv'), tb.stdout);
    const out = join(dir, 'pairs-tokens.csv');
    const l = tessera('link', '--tokens', '--key-file', secret, join(dir, 'ta.csv'), join(dir, 'tb.csv'), '--out', out);
    expect(l.code, l.stderr).toBe(0);
    const pairs = readFileSync(out, 'utf8').trim().split('\n');
    expect(pairs[0]).toBe('left_id,right_id,score');
    expect(pairs.length).toBeGreaterThan(100);
    const e = tessera('eval', '--pairs', out, half.a, half.b);
    expect(e.code, e.stderr).toBe(0);
    expect(f1Of(e.stdout)).toBeGreaterThan(0.97);
    expect(e.stdout).toMatch(/^precision: [\d.]+$/m);
    expect(e.stdout).toMatch(/^recall: [\d.]+$/m);
  });

  test('link in PHI mode deduplicates one file', () => {
    const out = join(dir, 'pairs-phi.csv');
    const l = tessera('link', FIXTURE, '--out', out);
    expect(l.code, l.stderr).toBe(0);
    const e = tessera('eval', '--pairs', out, FIXTURE);
    expect(f1Of(e.stdout)).toBeGreaterThan(0.97);
  });

  test('master tokens (no --site) also link', () => {
    const t = tessera('tokenize', '--key-file', secret, FIXTURE);
    expect(t.code, t.stderr).toBe(0);
    writeFileSync(join(dir, 'tm.csv'), t.stdout);
    const out = join(dir, 'pairs-master.csv');
    expect(tessera('link', '--tokens', '--key-file', secret, join(dir, 'tm.csv'), '--out', out).code).toBe(0);
    expect(f1Of(tessera('eval', '--pairs', out, FIXTURE).stdout)).toBeGreaterThan(0.97);
  });

  test.each([
    [['frobnicate'], /unknown command/],
    [['tokenize', FIXTURE], /--key-file/],
    [['tokenize', '--key-file', '/nonexistent/key', FIXTURE], /cannot read key file/],
    [['link', '/nonexistent.csv', '--out', '/tmp/x.csv'], /cannot read input file/],
    [['link', FIXTURE], /--out/],
    [['link', '--tokens', FIXTURE, '--out', '/tmp/x.csv'], /--key-file/],
    [['eval', FIXTURE], /--pairs/],
    [['link', '--bogus-flag', FIXTURE, '--out', '/tmp/x.csv'], /bogus-flag/],
  ])('user error %j → message and exit code 2, no stack trace', (args, message) => {
    const r = tessera(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('a token file opened with the wrong key is a clear error', () => {
    const other = join(dir, 'other.key');
    writeFileSync(other, 'a-completely-different-secret-000000');
    const t = tessera('tokenize', '--key-file', secret, '--site', 'clinic-a', half.a);
    writeFileSync(join(dir, 'ta2.csv'), t.stdout);
    const r = tessera('link', '--tokens', '--key-file', other, join(dir, 'ta2.csv'), '--out', join(dir, 'x.csv'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/do not open/);
  });
});
