/** Entry point of the `lmkit` command: finds the command, parses its flags, runs it, reports errors. */
import { readFileSync, readSync } from 'node:fs';
import { LmkitError, UsageError } from '../errors.js';
import { closest, commandHelp, groupHelp, parseArgs, type CliIO, type CommandGroup } from './args.js';
import { COMMANDS } from './commands.js';

/** Runs `lmkit` with the given arguments and returns the process exit code. */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (err) {
    return reportError(err, io);
  }
}

async function dispatch(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(topHelp());
    return 0;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`lmkit ${version()}\n`);
    return 0;
  }
  const entry = COMMANDS.find((g) => g.name === name);
  if (!entry) {
    const near = closest(
      name,
      COMMANDS.map((g) => g.name),
    );
    throw new UsageError(
      `unknown command '${name}'`,
      near ? `did you mean 'lmkit ${near}'?` : `run 'lmkit --help' to see the commands`,
    );
  }
  const group = await entry.load();
  if (group.command) return runCommand(group.command, rest, name, io);

  const [sub, ...args] = rest;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.stdout.write(groupHelp(group));
    return 0;
  }
  const command = group.commands?.find((c) => c.name === sub);
  if (!command) {
    const near = closest(
      sub,
      (group.commands ?? []).map((c) => c.name),
    );
    throw new UsageError(
      `unknown command 'lmkit ${name} ${sub}'`,
      near ? `did you mean 'lmkit ${name} ${near}'?` : `run 'lmkit ${name} --help' to see its commands`,
    );
  }
  return runCommand(command, args, `${name} ${sub}`, io);
}

async function runCommand(
  command: NonNullable<CommandGroup['command']>,
  args: readonly string[],
  path: string,
  io: CliIO,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(command, args, path);
  } catch (err) {
    if (err instanceof UsageError && !err.hint) {
      throw new UsageError(err.message, `run 'lmkit ${path} --help' for usage`);
    }
    throw err;
  }
  if (parsed === 'help') {
    io.stdout.write(commandHelp(command, path));
    return 0;
  }
  const run = await command.load();
  const code = await run(parsed, io);
  return code ?? 0;
}

function reportError(err: unknown, io: CliIO): number {
  if (err instanceof LmkitError) {
    io.stderr.write(`lmkit: error: ${err.message}${err.hint ? ` (${err.hint})` : ''}\n`);
    return err.exitCode;
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EPIPE') return 0;
  io.stderr.write(`lmkit: internal error (please report it): ${e?.stack ?? String(err)}\n`);
  return 70;
}

function topHelp(): string {
  const lines = [
    `lmkit ${version()}: from a raw text corpus to your own ChatGPT-style assistant.`,
    '',
    'Usage: lmkit <command> [flags]',
    '',
    'Commands:',
  ];
  for (const g of COMMANDS) lines.push(`  ${g.name.padEnd(12)} ${g.summary}`);
  lines.push('', "Run 'lmkit <command> --help' for more. Add --json where output is data.");
  return lines.join('\n') + '\n';
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** The CLI's real streams. */
export function processIO(): CliIO {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    // Opening standard input loads Node's stream and socket code: only commands that read it pay for it.
    get stdin() {
      return process.stdin;
    },
    readStdin: readStdinSync,
    isTTY: !!process.stderr.isTTY,
  };
}

/**
 * Standard input read to its end with blocking reads (waiting out EAGAIN when the descriptor is
 * non-blocking); undefined when it cannot be read this way before anything was read (closed, a folder).
 */
function readStdinSync(): Buffer | undefined {
  const chunks: Buffer[] = [];
  const buf = Buffer.allocUnsafe(1 << 16);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
        continue;
      }
      if (code === 'EOF') break;
      if (chunks.length === 0) return undefined;
      throw err;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}
