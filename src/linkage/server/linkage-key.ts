import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { masterKeyFromSecret, readMasterKeyFile, type MasterKey } from '../keys';

/** Where the linkage master key came from (for the start-up log; never the key itself). */
export type LinkageKeySource = 'LINKAGE_KEY_FILE' | 'LINKAGE_SECRET' | 'generated' | 'existing-dev-file';

/** Default location of the development key, relative to the working directory. */
export const DEV_KEY_FILE = join('data', 'linkage.key');

/**
 * Resolves the record-linkage master secret: env LINKAGE_KEY_FILE (a key file), else LINKAGE_SECRET (text,
 * ≥ 16 bytes); otherwise, outside production (NODE_ENV ≠ production), ./data/linkage.key, generated with mode
 * 0600 on first start. In production one of the two variables is required. Never logs the secret.
 */
export function resolveLinkageKey(
  env: NodeJS.ProcessEnv,
  options: { devKeyFile?: string; log?: (msg: string) => void } = {},
): { key: MasterKey; source: LinkageKeySource; path?: string } {
  const log = options.log ?? ((m: string) => console.log(m));
  if (env.LINKAGE_KEY_FILE) {
    try {
      return { key: readMasterKeyFile(env.LINKAGE_KEY_FILE), source: 'LINKAGE_KEY_FILE', path: env.LINKAGE_KEY_FILE };
    } catch (err) {
      throw new Error(`LINKAGE_KEY_FILE: cannot use ${env.LINKAGE_KEY_FILE}: ${(err as Error).message}`);
    }
  }
  if (env.LINKAGE_SECRET) {
    try {
      return { key: masterKeyFromSecret(env.LINKAGE_SECRET), source: 'LINKAGE_SECRET' };
    } catch (err) {
      throw new Error(`LINKAGE_SECRET: ${(err as Error).message}`);
    }
  }
  if (env.NODE_ENV === 'production') {
    throw new Error('Record linkage needs a master secret: set LINKAGE_KEY_FILE (path to a key file) or LINKAGE_SECRET');
  }
  const path = options.devKeyFile ?? DEV_KEY_FILE;
  if (existsSync(path)) return { key: readMasterKeyFile(path), source: 'existing-dev-file', path };
  // Write to a temporary file, then link() it into place: atomic, and a concurrent first start keeps the winner's key.
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, randomBytes(32).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  let created = true;
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    created = false;
  } finally {
    unlinkSync(tmp);
  }
  if (created) log(`[tessera] generated a record-linkage master key in ${path} (development only; set LINKAGE_KEY_FILE or LINKAGE_SECRET in production, and keep the file out of the repository)`);
  return { key: masterKeyFromSecret(readFileSync(path)), source: created ? 'generated' : 'existing-dev-file', path };
}
