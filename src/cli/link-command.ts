import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import { febrlToPersons, isFebrlHeader, type CsvTable } from '../linkage/io/febrl-csv';
import { isTokenHeader, tokensFromCsv } from '../linkage/io/token-csv';
import { masterKeyFromSecret, type MasterKey } from '../linkage/keys';
import { linkRecords, type LinkedPair, type LinkSource } from '../linkage/match/link-records';
import { prepareSource } from '../linkage/prepare';
import { CliError } from './cli-error';
import { readCsv, readKey, withFile } from './cli-io';

/** Help text of `tessera link`. */
export const LINK_HELP = `Usage: tessera link [--tokens --key-file <secret>] <a.csv> [<b.csv>] --out pairs.csv [--one-to-one] [--possible review.csv]

One file: finds duplicates within it. Two files: links records across them.
Inputs are FEBRL-format CSVs (PHI mode: fuzzy comparison of normalised fields), or with --tokens the token
files written by \`tessera tokenize\` (token mode; the master key opens site-sealed tokens).
Writes left_id,right_id,score — one row per matched pair. --possible also writes the pairs graded
"possible" for clerical review; --one-to-one links each record to at most one record of the other file
(for two files that are each already deduplicated).`;

function loadSource(path: string, table: CsvTable, tokens: boolean, key: MasterKey): LinkSource {
  if (tokens) {
    if (!isTokenHeader(table.header)) throw new CliError(`${path}: --tokens given but this is not a token file (header: ${table.header.slice(0, 4).join(', ')}, ...)`);
    return withFile(path, () => tokensFromCsv(table, key));
  }
  if (isTokenHeader(table.header)) throw new CliError(`${path} is a token file: pass --tokens --key-file <secret>`);
  if (!isFebrlHeader(table.header)) throw new CliError(`${path}: expected a FEBRL header (rec_id, given_name, surname, ...), got: ${table.header.join(', ')}`);
  const { ids, persons } = withFile(path, () => febrlToPersons(table));
  return prepareSource(ids, persons, key);
}

function writePairs(path: string, pairs: LinkedPair[]): void {
  const rows = pairs.map((p) => [p.left, p.right, p.score.toFixed(6)]);
  try {
    writeFileSync(path, stringify([['left_id', 'right_id', 'score'], ...rows]));
  } catch (e) {
    throw new CliError(`cannot write "${path}": ${(e as Error).message}`);
  }
}

/** `tessera link`: dedup one file or link two, writing matched pairs. */
export async function linkCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      tokens: { type: 'boolean' },
      'key-file': { type: 'string' },
      out: { type: 'string' },
      possible: { type: 'string' },
      'one-to-one': { type: 'boolean' },
      'no-hard-rules': { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out.write(LINK_HELP + '\n');
    return 0;
  }
  if (positionals.length < 1 || positionals.length > 2) throw new CliError(`link takes one or two input files, got ${positionals.length}\n\n${LINK_HELP}`);
  if (!values.out) throw new CliError('--out <pairs.csv> is required');
  if (values['one-to-one'] && positionals.length !== 2) throw new CliError('--one-to-one needs two input files');
  const mode = values.tokens ? 'token' : 'phi';
  if (values.tokens && !values['key-file']) throw new CliError('--tokens needs --key-file <secret> (the master secret opens the site tokens)');
  // PHI mode without a key: an ephemeral key, tokens only serve blocking inside this run.
  const key = values['key-file'] ? readKey(values['key-file']) : masterKeyFromSecret(randomBytes(32));
  const [pa, pb] = positionals as [string, string | undefined];
  const a = loadSource(pa, readCsv(pa), !!values.tokens, key);
  const b = pb ? loadSource(pb, readCsv(pb), !!values.tokens, key) : undefined;
  const t0 = performance.now();
  const result = linkRecords(a, b, { mode, resolution: values['one-to-one'] ? 'one-to-one' : 'cluster', hardRules: !values['no-hard-rules'] });
  writePairs(values.out, result.pairs);
  if (values.possible) writePairs(values.possible, result.possible);
  if (!values.quiet) {
    err.write(
      `tessera link: ${mode} mode, ${a.ids.length}${b ? ` × ${b.ids.length}` : ''} records, ${result.candidates} candidate pairs, ` +
        `${result.pairs.length} matched pairs, ${result.possible.length} possible; model ${result.model.source}; ${Math.round(performance.now() - t0)} ms\n`,
    );
  }
  return 0;
}
