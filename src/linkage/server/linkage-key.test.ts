import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { masterKeyFromSecret } from '../keys';
import { resolveLinkageKey } from './linkage-key';

const dir = () => mkdtempSync(join(tmpdir(), 'tessera-key-'));

describe('resolveLinkageKey', () => {
  test('LINKAGE_KEY_FILE wins over LINKAGE_SECRET', () => {
    const file = join(dir(), 'k');
    writeFileSync(file, 'file-secret-0123456789abcdef');
    const r = resolveLinkageKey({ LINKAGE_KEY_FILE: file, LINKAGE_SECRET: 'env-secret-0123456789abcdef' }, { log: () => {} });
    expect(r.source).toBe('LINKAGE_KEY_FILE');
    expect(r.key.id).toBe(masterKeyFromSecret('file-secret-0123456789abcdef').id);
  });

  test('LINKAGE_SECRET', () => {
    const r = resolveLinkageKey({ LINKAGE_SECRET: 'env-secret-0123456789abcdef' }, { devKeyFile: join(dir(), 'never'), log: () => {} });
    expect(r.source).toBe('LINKAGE_SECRET');
    expect(r.key.id).toBe(masterKeyFromSecret('env-secret-0123456789abcdef').id);
  });

  test.each([
    [{ LINKAGE_KEY_FILE: '/nonexistent/linkage.key' }, /LINKAGE_KEY_FILE/],
    [{ LINKAGE_SECRET: 'short' }, /LINKAGE_SECRET: .*too short/],
    [{ NODE_ENV: 'production' }, /set LINKAGE_KEY_FILE .* or LINKAGE_SECRET/],
  ])('refuses %o', (env, message) => {
    expect(() => resolveLinkageKey(env, { devKeyFile: join(dir(), 'k'), log: () => {} })).toThrow(message);
  });

  test('development: generates a 0600 key file once, logs its path (not the key), reuses it afterwards', () => {
    const file = join(dir(), 'data', 'linkage.key');
    const logs: string[] = [];
    const first = resolveLinkageKey({}, { devKeyFile: file, log: (m) => logs.push(m) });
    expect(first.source).toBe('generated');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const secret = readFileSync(file, 'utf8').trim();
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain(file);
    expect(logs[0]).not.toContain(secret);
    const second = resolveLinkageKey({}, { devKeyFile: file, log: (m) => logs.push(m) });
    expect(second.source).toBe('existing-dev-file');
    expect(second.key.id).toBe(first.key.id);
    expect(logs).toHaveLength(1);
  });
});
