import { parseArgs } from 'node:util';
import { evaluatePairs, truePairs } from '../linkage/eval/metrics';
import { CliError } from './cli-error';
import { readCsv } from './cli-io';

/** Help text of `tessera eval`. */
export const EVAL_HELP = `Usage: tessera eval --pairs pairs.csv <a.csv> [<b.csv>]

Prints precision, recall and F1 of the pairs against the FEBRL ground truth of the input files
(rec-N-org and rec-N-dup-K are entity N). One file: true pairs are all pairs within an entity;
two files: pairs across the files with the same entity.`;

function recIds(path: string): string[] {
  const t = readCsv(path);
  const c = t.header.indexOf('rec_id');
  if (c < 0) throw new CliError(`${path}: no rec_id column (header: ${t.header.join(', ')})`);
  return t.rows.map((r) => (r[c] ?? '').trim()).filter(Boolean);
}

/** `tessera eval`: precision/recall/F1 of a pairs file. */
export async function evalCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { pairs: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    out.write(EVAL_HELP + '\n');
    return 0;
  }
  if (!values.pairs) throw new CliError('--pairs <pairs.csv> is required');
  if (positionals.length < 1 || positionals.length > 2) throw new CliError(`eval takes one or two data files, got ${positionals.length}\n\n${EVAL_HELP}`);
  const pt = readCsv(values.pairs);
  const li = pt.header.indexOf('left_id');
  const ri = pt.header.indexOf('right_id');
  if (li < 0 || ri < 0) throw new CliError(`${values.pairs}: expected columns left_id,right_id[,score], got: ${pt.header.join(', ')}`);
  const predicted = pt.rows.map((r) => [(r[li] ?? '').trim(), (r[ri] ?? '').trim()] as [string, string]);
  const idsA = recIds(positionals[0]!);
  const idsB = positionals[1] ? recIds(positionals[1]) : undefined;
  const m = evaluatePairs(predicted, truePairs(idsA, idsB));
  out.write(
    `precision: ${m.precision.toFixed(6)}\nrecall: ${m.recall.toFixed(6)}\nf1: ${m.f1.toFixed(6)}\n` +
      `true_positives: ${m.truePositives}\nfalse_positives: ${m.falsePositives}\nfalse_negatives: ${m.falseNegatives}\n`,
  );
  return 0;
}
