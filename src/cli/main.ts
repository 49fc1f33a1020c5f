import { CliError } from './cli-error';
import { EVAL_HELP, evalCommand } from './eval-command';
import { LINK_HELP, linkCommand } from './link-command';
import { TOKENIZE_HELP, tokenizeCommand } from './tokenize-command';

/** Top-level help of the `tessera` command. */
export const MAIN_HELP = `Usage: tessera <command> [options]

Privacy-preserving record linkage (see docs/LINKAGE.md).

Commands:
  tokenize   normalise a FEBRL CSV and write linkage tokens (no PHI)
  link       find duplicates in one file or link two files (PHI or --tokens mode)
  eval       precision / recall / F1 of a pairs file against FEBRL ground truth

Run \`tessera <command> --help\` for the options of a command.

${TOKENIZE_HELP}

${LINK_HELP}

${EVAL_HELP}`;

/** Runs the CLI with arguments (without node and script); returns the exit code. Errors → one message on stderr (stack only with TESSERA_DEBUG=1), exit code 2. */
export async function runCli(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        out.write(MAIN_HELP + '\n');
        return command === undefined ? 2 : 0;
      case 'tokenize':
        return await tokenizeCommand(rest, out);
      case 'link':
        return await linkCommand(rest, out, err);
      case 'eval':
        return await evalCommand(rest, out);
      default:
        throw new CliError(`unknown command "${command}" (expected tokenize, link or eval; see tessera --help)`);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const userError = e instanceof CliError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'));
    if (userError) {
      err.write(`tessera: ${(e as Error).message}\n`);
      return 2;
    }
    err.write(`tessera: internal error: ${(e as Error).message}\n`);
    if (process.env.TESSERA_DEBUG) err.write(`${(e as Error).stack}\n`);
    return 2;
  }
}
