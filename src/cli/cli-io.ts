import { readFileSync } from 'node:fs';
import { parseCsv, type CsvTable } from '../linkage/io/febrl-csv';
import { masterKeyFromSecret, type MasterKey } from '../linkage/keys';
import { CliError } from './cli-error';

/** Reads a file, turning I/O failures into a CLI error naming the file. */
export function readInput(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read ${what} "${path}": ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`);
  }
}

/** Reads and parses a CSV input file. */
export function readCsv(path: string): CsvTable {
  const text = readInput(path, 'input file').toString('utf8');
  try {
    return parseCsv(text);
  } catch (e) {
    throw new CliError(`${path}: ${(e as Error).message}`);
  }
}

/** Reads the master secret file. */
export function readKey(path: string | undefined): MasterKey {
  if (!path) throw new CliError('--key-file <secret> is required');
  try {
    return masterKeyFromSecret(readInput(path, 'key file'));
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`key file "${path}": ${(e as Error).message}`);
  }
}

/** Runs `fn`, prefixing any data error with the file name. */
export function withFile<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CliError) throw e;
    if (e instanceof RangeError || e instanceof TypeError || e instanceof SyntaxError) throw new CliError(`${path}: ${e.message}`);
    throw e;
  }
}
