/**
 * Runs a speedrun: picks the stages (--only, --skip, --resume), gives each its share of the budget,
 * runs its steps (each `lmkit` command in a child process, its output kept in the stage's log.txt), and
 * writes the stage's completion marker (done.json) atomically and last, so a killed run leaves every
 * finished stage intact and `--resume` continues at the first unfinished one. One progress display
 * covers the whole run; a failing stage stops it with its error and the command to rerun that stage.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LmkitError, UsageError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { PARENT_PID_ENV } from '../util/exit-with-parent.js';
import { clock, slowdown, stageShare } from './budget.js';
import { recordLatestAssistant } from './latest.js';
import { readLive } from './live.js';
import {
  floorOf,
  pickAssistant,
  sizesFor,
  stageTable,
  type CommandStep,
  type SpeedrunLang,
  type Stage,
  type StageContext,
  type StageRecord,
} from './stages.js';

/** The completion marker each finished stage's folder holds. */
export const DONE_FILE = 'done.json';
/** The run's settings, kept so --resume continues the same run. */
export const SETTINGS_FILE = 'speedrun.json';
/** The budget of `lmkit speedrun` without --budget: 30 minutes. */
export const DEFAULT_BUDGET = 1800;

/** What `lmkit speedrun` was asked. */
export interface SpeedrunOptions {
  out: string;
  /**
   * Seconds: the whole run's budget (default DEFAULT_BUDGET); with --resume or --only, the time for the
   * stages still to run (default: the saved budget less what the finished stages took).
   */
  budget?: number;
  lang: SpeedrunLang;
  data?: string;
  only: string[];
  skip: string[];
  resume: boolean;
  /** Where the progress display and stage lines go. */
  log: NodeJS.WritableStream & { isTTY?: boolean };
  /** One-layer models and small data, for tests. */
  tiny?: boolean;
}

/** The run's settings as saved in speedrun.json. */
interface Settings {
  budget: number;
  lang: SpeedrunLang;
  data?: string;
  tiny?: boolean;
}

/** How a run ended. */
export interface SpeedrunSummary {
  ran: string[];
  reused: string[];
  skipped: string[];
  seconds: number;
  assistant?: string;
}

const BIN = fileURLToPath(new URL('../../../bin/lmkit.js', import.meta.url));

/** Reads a stage's completion marker, or undefined when the stage has not finished. */
export function readRecord(out: string, stage: string): StageRecord | undefined {
  const file = join(out, stage, DONE_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StageRecord;
  } catch {
    return undefined; // cannot happen with an atomic write; treated as not finished
  }
}

/** A command line as a shell would take it back. */
export function shellLine(args: readonly string[]): string {
  return ['lmkit', ...args]
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}

/** Runs the speedrun; resolves with what ran, or throws LmkitError naming the failed stage. */
export async function runSpeedrun(o: SpeedrunOptions): Promise<SpeedrunSummary> {
  const table = stageTable();
  const names = table.map((s) => s.name);
  for (const n of [...o.only, ...o.skip])
    if (!names.includes(n))
      throw new UsageError(`unknown stage '${n}'`, `the stages are: ${names.join(', ')}`);
  mkdirSync(o.out, { recursive: true });
  const continuing = o.resume || o.only.length > 0;
  const saved = continuing ? savedSettings(o) : undefined;
  const done = new Map<string, StageRecord>();
  if (continuing)
    for (const s of table) {
      const r = readRecord(o.out, s.name);
      if (r) done.set(s.name, r);
    }
  // what runs: --only's stages (else all), minus --skip, minus finished ones on --resume
  const wanted = table.filter(
    (s) => (o.only.length ? o.only.includes(s.name) : true) && !o.skip.includes(s.name),
  );
  const skipped = table.filter((s) => o.skip.includes(s.name)).map((s) => s.name);
  const toRun: Stage[] = [];
  const reused: string[] = [];
  for (const s of wanted) {
    if (o.resume && done.has(s.name)) {
      reused.push(s.name);
      continue;
    }
    const missing = s.needs.filter((n) => !done.has(n) && !toRun.some((t) => t.name === n));
    if (missing.length) {
      if (o.only.length)
        throw new UsageError(
          `stage ${s.name} needs ${missing.join(', ')}, which has not finished in ${o.out}`,
          `run it first: lmkit speedrun --out ${o.out} --only ${missing.join(',')}`,
        );
      skipped.push(s.name); // a stage after a skipped one it needs
      continue;
    }
    toRun.push(s);
  }
  if (!o.resume && !o.only.length)
    for (const s of table) rmSync(join(o.out, s.name), { recursive: true, force: true }); // a fresh run
  for (const s of toRun) done.delete(s.name);
  // the time already spent is that of the finished stages kept; a new --budget is for the stages to run
  const spentBefore = [...done.values()].reduce((t, r) => t + r.seconds, 0);
  const settings: Settings = saved
    ? { ...saved, budget: o.budget === undefined ? saved.budget : spentBefore + o.budget }
    : { budget: o.budget ?? DEFAULT_BUDGET, lang: o.lang, data: o.data, tiny: o.tiny || undefined };
  if (!saved || settings.budget !== saved.budget)
    writeFileAtomic(join(o.out, SETTINGS_FILE), [JSON.stringify(settings, null, 2) + '\n']);

  const sizes = sizesFor(settings.budget, settings.tiny);
  const started = performance.now();
  const elapsed = () => spentBefore + (performance.now() - started) / 1000;
  const floors = toRun.map((s) => floorOf(s, sizes));
  const seen = { fixed: 0, floors: 0 }; // fixed time taken and floors planned of the stages run so far
  const display = new Display(o.log, settings.budget);
  o.log.write(
    `lmkit speedrun: ${toRun.length} stage(s) in ${o.out}, budget ${clock(settings.budget)}` +
      (reused.length ? `; reusing ${reused.join(', ')}` : '') +
      (skipped.length ? `; skipping ${skipped.join(', ')}` : '') +
      '\n',
  );
  for (let k = 0; k < toRun.length; k++) {
    const stage = toRun[k];
    const factor = slowdown(seen.fixed, seen.floors);
    const claims = toRun.slice(k).map((s, i) => ({ weight: s.weight, floor: floors[k + i] * factor }));
    const share = stageShare(settings.budget - elapsed(), claims);
    const free = Math.max(0, share - claims[0].floor);
    const dir = join(o.out, stage.name);
    rmSync(dir, { recursive: true, force: true }); // an unfinished stage starts over
    mkdirSync(dir, { recursive: true });
    if (stage.diskMB) checkDisk(dir, stage);
    const ctx: StageContext = {
      out: o.out,
      lang: settings.lang,
      data: settings.data,
      sizes,
      share,
      free,
      done,
      results: [],
    };
    const t0 = performance.now();
    display.stage(k + 1, toRun.length, stage, share, claims[0].floor, elapsed);
    const logFile = join(dir, 'log.txt');
    for (const step of stage.steps(ctx)) {
      const s0 = performance.now();
      if ('note' in step) {
        display.line(`  ${step.note}`);
        step.run();
        ctx.results.push({ command: step.note, seconds: (performance.now() - s0) / 1000, json: [] });
        continue;
      }
      display.line(`  ${shellLine(step.args)}`);
      const watch = stage.runDir ? join(o.out, stage.runDir) : undefined;
      const r = await runCommand(step, logFile, () => display.tick(elapsed, watch && readLive(watch)));
      if (r.code !== 0) {
        display.clear();
        throw new LmkitError(
          `stage ${stage.name} failed (exit ${r.code}): ${r.lastError || 'no error message'}\n` +
            `  command: ${shellLine(step.args)}\n  its output: ${logFile}`,
          {
            hint: `fix that, then rerun this stage alone: lmkit speedrun --out ${o.out} --only ${stage.name} (or --resume to continue the run)`,
          },
        );
      }
      ctx.results.push({
        command: shellLine(step.args),
        args: step.args,
        ...(step.stdin === undefined ? {} : { stdin: step.stdin }),
        seconds: (performance.now() - s0) / 1000,
        json: r.json.map((j) => (step.keep ? step.keep(j) : j)),
        ...(r.json.length ? {} : { text: r.stdout }),
      });
    }
    const record: StageRecord = {
      stage: stage.name,
      seconds: (performance.now() - t0) / 1000,
      share,
      floor: claims[0].floor,
      finished: new Date().toISOString(),
      steps: ctx.results,
    };
    writeFileAtomic(join(dir, DONE_FILE), [JSON.stringify(record, null, 1) + '\n']);
    seen.fixed += Math.max(0, record.seconds - free);
    seen.floors += floors[k];
    done.set(stage.name, record);
    display.finished(stage, record);
  }
  display.clear();
  const assistant = done.has('assistant') ? pickAssistant({ out: o.out, done }) : undefined;
  if (assistant) recordLatestAssistant(resolve(assistant), resolve(o.out));
  return {
    ran: toRun.map((s) => s.name),
    reused,
    skipped,
    seconds: (performance.now() - started) / 1000,
    assistant,
  };
}

/**
 * The settings saved by the run in --out (--resume and --only continue it: its language and data may not
 * change), or undefined when there is none.
 */
function savedSettings(o: SpeedrunOptions): Settings | undefined {
  const file = join(o.out, SETTINGS_FILE);
  if (!existsSync(file)) return undefined;
  const saved = JSON.parse(readFileSync(file, 'utf8')) as Settings;
  if (saved.lang !== o.lang || saved.data !== o.data)
    throw new UsageError(
      `${o.out} holds a speedrun with --lang ${saved.lang}${saved.data ? ` --data ${saved.data}` : ''}; this one asks for --lang ${o.lang}${o.data ? ` --data ${o.data}` : ''}`,
      'give the same --lang and --data, or another --out',
    );
  return saved;
}

/** Refuses to start a stage that may write `diskMB` megabytes where less is free. */
function checkDisk(dir: string, stage: Stage): void {
  const s = statfsSync(dir);
  const free = (s.bavail * s.bsize) / 2 ** 20;
  if (free < (stage.diskMB ?? 0))
    throw new LmkitError(
      `only ${Math.floor(free)} MB free in ${dirname(dir)}; stage ${stage.name} may write about ${stage.diskMB} MB`,
      { hint: 'free some space or give another --out' },
    );
}

/** Runs `lmkit ARGS` as a child process; its stdout's JSON lines are parsed, stderr goes to the log. */
function runCommand(
  step: CommandStep,
  logFile: string,
  tick: () => void,
): Promise<{ code: number; json: unknown[]; stdout: string; lastError: string }> {
  return new Promise((done, fail) => {
    writeFileSync(logFile, `$ ${shellLine(step.args)}\n`, { flag: 'a' });
    const child = spawn(process.execPath, [BIN, ...step.args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, [PARENT_PID_ENV]: String(process.pid) }, // it dies with this process, even by kill -9
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      writeFileSync(logFile, d, { flag: 'a' });
    });
    child.stdin.on('error', () => undefined); // a child that exits before reading its input
    child.stdin.end(step.stdin ?? '');
    const timer = setInterval(tick, 500);
    child.on('error', (e) => {
      clearInterval(timer);
      fail(e);
    });
    child.on('close', (code, signal) => {
      clearInterval(timer);
      const json: unknown[] = [];
      try {
        if (stdout.trimStart().startsWith('{') && !stdout.trim().includes('\n{'))
          json.push(JSON.parse(stdout));
      } catch {
        // several JSON lines, read below
      }
      if (!json.length)
        for (const line of stdout.split('\n'))
          if (line.startsWith('{'))
            try {
              json.push(JSON.parse(line));
            } catch {
              // not a JSON line
            }
      const errors = stderr
        .split('\n')
        .filter((l) => l.startsWith('lmkit: error') || l.startsWith('lmkit: internal'));
      done({
        code: code ?? (signal ? 128 : 1),
        json,
        stdout,
        lastError: (errors.at(-1) ?? stderr.trim().split('\n').at(-1) ?? '').replace(/^lmkit: error: /, ''),
      });
    });
  });
}

/**
 * The one progress display: on a terminal, a line redrawn in place (stage k/n, elapsed, ETA, the stage's
 * tokens/s and loss from its metrics.jsonl); elsewhere, a line as each stage starts and ends.
 */
class Display {
  private current = '';
  private drawn = false;
  private shareEnd = 0;

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly budget: number,
  ) {}

  /** A stage starts. */
  stage(k: number, n: number, stage: Stage, share: number, fixed: number, elapsed: () => number): void {
    this.current = `[${k}/${n}] ${stage.name}`;
    this.shareEnd = elapsed() + share;
    this.line(
      `${this.current}: ${stage.summary} (share ${clock(share)}, fixed costs ${clock(fixed)}, elapsed ${clock(elapsed())})`,
    );
  }

  /** A line above the progress line. */
  line(text: string): void {
    this.clear();
    this.out.write(text + '\n');
  }

  /** Redraws the progress line (terminals only). */
  tick(elapsed: () => number, live?: string): void {
    if (!this.out.isTTY) return;
    const e = elapsed();
    const eta = Math.max(this.budget - e, this.shareEnd - e, 0);
    this.out.write(
      `\r${this.current}  elapsed ${clock(e)}  ETA ${clock(eta)}${live ? `  ${live}` : ''}\x1b[K`,
    );
    this.drawn = true;
  }

  /** A stage ended. */
  finished(stage: Stage, r: StageRecord): void {
    this.line(`  ${stage.name} done in ${r.seconds.toFixed(1)} s`);
  }

  /** Clears the progress line. */
  clear(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }
}
