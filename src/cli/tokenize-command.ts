import { parseArgs } from 'node:util';
import { febrlToPersons, isFebrlHeader } from '../linkage/io/febrl-csv';
import { masterTokensToCsv, siteTokensToCsv } from '../linkage/io/token-csv';
import { normalizePerson } from '../linkage/normalize/normalize-person';
import { computeTokens } from '../linkage/tokens/compute-tokens';
import { toSiteTokens } from '../linkage/tokens/site-tokens';
import { CliError } from './cli-error';
import { readCsv, readKey, withFile } from './cli-io';

/** Help text of `tessera tokenize`. */
export const TOKENIZE_HELP = `Usage: tessera tokenize --key-file <secret> [--site <name>] [--key-version <n>] [--date-order dmy|mdy] <in.csv> > tokens.csv

Normalises each record of a FEBRL-format CSV and writes its linkage tokens (no PHI) to stdout:
rec_id plus token columns. Without --site the tokens are in the linkage service's master space; with
--site they are sealed for that site (AES-256-GCM under a key derived from the master secret and the
site name, key version --key-version, default 1) so two sites cannot compare them.`;

/** `tessera tokenize`: PHI CSV → token CSV on stdout. */
export async function tokenizeCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'key-file': { type: 'string' },
      site: { type: 'string' },
      'key-version': { type: 'string' },
      'date-order': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out.write(TOKENIZE_HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new CliError(`tokenize takes exactly one input file, got ${positionals.length}\n\n${TOKENIZE_HELP}`);
  const key = readKey(values['key-file']);
  const dateOrder = values['date-order'] ?? 'dmy';
  if (dateOrder !== 'dmy' && dateOrder !== 'mdy') throw new CliError(`--date-order must be dmy or mdy, got "${dateOrder}"`);
  const version = values['key-version'] === undefined ? 1 : Number(values['key-version']);
  if (!Number.isInteger(version) || version < 1) throw new CliError(`--key-version must be a positive integer, got "${values['key-version']}"`);
  if (values.site !== undefined && !values.site.trim()) throw new CliError('--site must not be empty');
  const path = positionals[0]!;
  const table = readCsv(path);
  if (!isFebrlHeader(table.header)) throw new CliError(`${path}: expected a FEBRL header (rec_id, given_name, surname, ...), got: ${table.header.join(', ')}`);
  const { ids, persons } = withFile(path, () => febrlToPersons(table));
  const tokens = persons.map((p) => computeTokens(normalizePerson(p, { dateOrder }), key));
  const csv = values.site ? siteTokensToCsv(ids, tokens.map((t) => toSiteTokens(t, key, values.site!.trim(), version))) : masterTokensToCsv(ids, tokens);
  await new Promise<void>((resolve, reject) => out.write(csv, (e) => (e ? reject(e) : resolve())));
  return 0;
}
