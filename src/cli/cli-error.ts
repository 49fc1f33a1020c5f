/** A user error of the command line (bad arguments, unreadable or malformed input): reported without a stack trace, exit code 2. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}
