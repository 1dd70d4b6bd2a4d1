/**
 * A small declarative flag parser shared by every command: each command states its flags and
 * positionals once, and gets parsing, validation with clear messages, and `--help` text from that.
 */
import { UsageError } from '../errors.js';

export type FlagType = 'string' | 'number' | 'integer' | 'boolean';

/** One `--flag` a command accepts. */
export interface FlagSpec {
  name: string;
  type: FlagType;
  description: string;
  short?: string;
  /** Placeholder shown in help, e.g. "FILE". */
  value?: string;
  default?: string | number | boolean;
  /** Allowed values for string flags. */
  choices?: readonly string[];
  /** Lowest allowed value for numeric flags. */
  min?: number;
  max?: number;
  /** May be given several times (read with ParsedArgs.list; string() gives the last). */
  repeatable?: boolean;
  /** A switch that is on unless --no-NAME (help shows --[no-]NAME); implied by default true. */
  negatable?: boolean;
}

/** One positional argument. */
export interface PositionalSpec {
  name: string;
  description: string;
  optional?: boolean;
  /** Takes every remaining argument. */
  variadic?: boolean;
}

/** Where a command writes: the CLI passes process streams, tests pass buffers. */
export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  /**
   * All of standard input in one synchronous read, without Node's stream machinery (the real CLI; a
   * one-sentence `ngram query` starts faster); undefined when absent or when the input cannot be read
   * that way (then read `stdin`).
   */
  readStdin?(): Buffer | undefined;
  /** True when stderr is a terminal (progress bars are drawn only then). */
  isTTY: boolean;
}

/** A leaf command such as `ngram train`. */
export interface CommandSpec {
  name: string;
  summary: string;
  /** Longer text printed under the usage line of `--help`. */
  details?: string;
  flags: FlagSpec[];
  positionals: PositionalSpec[];
  /** Whether the global `--json` flag means something here. */
  json?: boolean;
  /**
   * The command's implementation, imported only when the command runs, e.g.
   * `load: () => import('./run/ngram.js').then((m) => m.query)`: start-up and `--help` then load no
   * model, tensor or dataset code (test/cli/startup.test.ts fails if they do).
   */
  load(): Promise<RunCommand>;
}

/** What a command does once its flags are parsed: returns the exit code (undefined means 0). */
export type RunCommand = (args: ParsedArgs, io: CliIO) => Promise<number | void>;

/** A group such as `ngram` holding several commands, or a single top-level command. */
export interface CommandGroup {
  name: string;
  summary: string;
  commands?: CommandSpec[];
  command?: CommandSpec;
}

/** Parsed flags and positionals, typed by accessor. */
export class ParsedArgs {
  constructor(
    readonly flags: Map<string, string | number | boolean>,
    readonly positionals: Map<string, string | string[]>,
    readonly json: boolean,
    private readonly lists: Map<string, string[]> = new Map(),
  ) {}

  /** Every value of a repeatable flag, in order (empty when absent). */
  list(name: string): string[] {
    return this.lists.get(name) ?? [];
  }

  /** A string flag, or undefined when neither given nor defaulted. */
  string(name: string): string | undefined {
    const v = this.flags.get(name);
    return v === undefined ? undefined : String(v);
  }

  /** A numeric flag, or undefined. */
  number(name: string): number | undefined {
    const v = this.flags.get(name);
    return v === undefined ? undefined : Number(v);
  }

  /** A boolean flag (false when absent). */
  bool(name: string): boolean {
    return this.flags.get(name) === true;
  }

  /** A positional argument, or undefined when optional and absent. */
  positional(name: string): string | undefined {
    const v = this.positionals.get(name);
    return Array.isArray(v) ? v[0] : v;
  }

  /** A variadic positional (empty when absent). */
  rest(name: string): string[] {
    const v = this.positionals.get(name);
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  }
}

const HELP: FlagSpec = { name: 'help', short: 'h', type: 'boolean', description: 'show this help' };
const JSON_FLAG: FlagSpec = { name: 'json', type: 'boolean', description: 'print machine-readable JSON' };

/** Parses argv for one command; throws UsageError with a precise message on any mistake. */
export function parseArgs(
  spec: CommandSpec,
  argv: readonly string[],
  commandPath: string,
): ParsedArgs | 'help' {
  const all = [...spec.flags, HELP, ...(spec.json ? [JSON_FLAG] : [])];
  const byName = new Map(all.map((f) => [f.name, f]));
  const byShort = new Map(all.filter((f) => f.short).map((f) => [f.short as string, f]));
  const flags = new Map<string, string | number | boolean>();
  const lists = new Map<string, string[]>();
  const rawPositionals: string[] = [];

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      rawPositionals.push(...argv.slice(i + 1));
      break;
    }
    let flag: FlagSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
      // a setting's flag is named as the setting (whole_word_masking); hyphens may stand for its underscores
      flag = byName.get(name) ?? byName.get(name.replace(/-/g, '_'));
      if (!flag && name.startsWith('no-') && byName.get(name.slice(3))?.type === 'boolean') {
        flags.set(name.slice(3), false);
        continue;
      }
      if (!flag) throw new UsageError(`unknown flag --${name} for '${commandPath}'`, suggest(name, all));
    } else if (arg.startsWith('-') && arg.length === 2 && !/[0-9]/.test(arg[1])) {
      flag = byShort.get(arg[1]);
      if (!flag) throw new UsageError(`unknown flag ${arg} for '${commandPath}'`, suggestShort(arg[1], all));
    } else {
      rawPositionals.push(arg);
      continue;
    }
    if (flag.type === 'boolean') {
      if (inline !== undefined && !['true', 'false'].includes(inline)) {
        throw new UsageError(`--${flag.name} is a switch; write --${flag.name} or --no-${flag.name}`);
      }
      flags.set(flag.name, inline === undefined ? true : inline === 'true');
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length)
        throw new UsageError(`--${flag.name} needs a value (${flag.value ?? flag.type})`);
      value = argv[++i];
    }
    flags.set(flag.name, convert(flag, value));
    if (flag.repeatable) lists.set(flag.name, [...(lists.get(flag.name) ?? []), value]);
  }
  if (flags.get('help') === true) return 'help';

  for (const f of all) {
    if (!flags.has(f.name) && f.default !== undefined) flags.set(f.name, f.default);
  }
  const positionals = new Map<string, string | string[]>();
  let k = 0;
  for (const p of spec.positionals) {
    if (p.variadic) {
      positionals.set(p.name, rawPositionals.slice(k));
      if (!p.optional && k >= rawPositionals.length)
        throw new UsageError(`missing ${p.name} for '${commandPath}'`);
      k = rawPositionals.length;
    } else if (k < rawPositionals.length) {
      positionals.set(p.name, rawPositionals[k++]);
    } else if (!p.optional) {
      throw new UsageError(`missing ${p.name} for '${commandPath}'`);
    }
  }
  if (k < rawPositionals.length) {
    throw new UsageError(`unexpected argument '${rawPositionals[k]}' for '${commandPath}'`);
  }
  return new ParsedArgs(flags, positionals, flags.get('json') === true, lists);
}

function convert(flag: FlagSpec, value: string): string | number {
  if (flag.type === 'string') {
    if (flag.choices && !flag.choices.includes(value)) {
      throw new UsageError(`--${flag.name} must be one of ${flag.choices.join(', ')} (got '${value}')`);
    }
    return value;
  }
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`--${flag.name} needs a number (got '${value}')`);
  }
  if (flag.type === 'integer' && !Number.isInteger(n)) {
    throw new UsageError(`--${flag.name} needs a whole number (got '${value}')`);
  }
  if (flag.min !== undefined && n < flag.min)
    throw new UsageError(`--${flag.name} must be at least ${flag.min} (got ${n})`);
  if (flag.max !== undefined && n > flag.max)
    throw new UsageError(`--${flag.name} must be at most ${flag.max} (got ${n})`);
  return n;
}

function suggest(name: string, flags: FlagSpec[]): string | undefined {
  const names = flags.map((f) => f.name);
  const best = closest(name, names) ?? names.find((f) => f.startsWith(name) || name.startsWith(f));
  return best ? `did you mean --${best}?` : undefined;
}

/** A hint for an unknown one-letter flag: the long flags starting with that letter. */
function suggestShort(letter: string, flags: FlagSpec[]): string | undefined {
  const names = flags.filter((f) => f.name.startsWith(letter)).map((f) => `--${f.name}`);
  return names.length ? `did you mean ${names.join(' or ')}?` : undefined;
}

/** Levenshtein distance between two strings (insertions, deletions, substitutions, transpositions). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The candidate nearest to `name` by edit distance, if near enough to be a typo (ties: first). */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    const dist = editDistance(name.toLowerCase(), c.toLowerCase());
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  return best;
}

/** Renders `--help` for one command. */
export function commandHelp(spec: CommandSpec, commandPath: string): string {
  const pos = spec.positionals
    .map((p) => {
      const n = p.variadic ? `${p.name}...` : p.name;
      return p.optional ? `[${n}]` : n;
    })
    .join(' ');
  const lines = [`Usage: lmkit ${commandPath} [flags]${pos ? ' ' + pos : ''}`, '', spec.summary];
  if (spec.details) lines.push('', spec.details);
  if (spec.positionals.length) {
    lines.push('', 'Arguments:');
    for (const p of spec.positionals) lines.push(`  ${p.name.padEnd(24)} ${p.description}`);
  }
  lines.push('', 'Flags:');
  for (const f of [...spec.flags, ...(spec.json ? [JSON_FLAG] : []), HELP]) {
    const negatable = f.type === 'boolean' && (f.negatable || f.default === true);
    const head = `${f.short ? `-${f.short}, ` : ''}--${negatable ? '[no-]' : ''}${f.name}${f.type === 'boolean' ? '' : ` ${f.value ?? f.type.toUpperCase()}`}`;
    const extra = [
      f.choices ? `one of ${f.choices.join('|')}` : '',
      f.default !== undefined && f.type !== 'boolean' ? `default ${f.default}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    lines.push(`  ${head.padEnd(24)} ${f.description}${extra ? ` (${extra})` : ''}`);
  }
  return lines.join('\n') + '\n';
}

/** Renders `--help` for a group of commands. */
export function groupHelp(group: CommandGroup): string {
  const lines = [`Usage: lmkit ${group.name} <command> [flags]`, '', group.summary, '', 'Commands:'];
  for (const c of group.commands ?? []) lines.push(`  ${c.name.padEnd(12)} ${c.summary}`);
  lines.push('', `Run 'lmkit ${group.name} <command> --help' for the flags of each.`);
  return lines.join('\n') + '\n';
}
