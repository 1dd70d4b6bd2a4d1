/**
 * Errors a user can fix. The CLI prints their message (and hint) as one line on stderr and exits
 * with their code; anything else is a bug and keeps its stack trace.
 */
export class LmkitError extends Error {
  readonly hint?: string;
  readonly exitCode: number;

  /** Creates an error whose message says what went wrong and whose hint says what to do. */
  constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LmkitError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** A mistake in how a command was called (unknown flag, missing argument): exit code 2. */
export class UsageError extends LmkitError {
  /** Creates a usage error; the CLI adds "see --help". */
  constructor(message: string, hint?: string) {
    super(message, { hint, exitCode: 2 });
    this.name = 'UsageError';
  }
}
