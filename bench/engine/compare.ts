/**
 * lmkit vs PyTorch on the same text in one command: sgemm GFLOP/s at 64/256/1024 and the nanoGPT CPU
 * configuration's training tokens/s (see gpt_train.ts), alternating the two for --rounds rounds, with
 * peak RSS of each process from /usr/bin/time. Both run under this process's environment unchanged
 * (PyTorch with --coretype env), so run it as e.g.
 *
 *   env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE node dist/bench/engine/compare.js --threads 1
 *
 * Options: --data TEXT_FILE (default: the first 1 MB of the SOTU speeches), --torch-bench PATH
 * (default ../shared/bench/torch_gpt_bench.py), --python /usr/bin/python3, --steps 100, --warmup 10, --rounds 5. It prints the median of the
 * per-round ratios and the ratio of each side's best round (the least disturbed on a shared machine).
 *
 * `--shape shakespeare-char [--batch 16]` trains nanoGPT's Shakespeare-character shape instead (see
 * shapes.ts) on both sides, PyTorch's being bench/engine/torch_train.py, and skips the sgemm figures:
 *
 *   node dist/bench/engine/compare.js --shape shakespeare-char --threads 1,2 --steps 4 --warmup 1 --rounds 3
 *
 * (`--threads 1,2` runs both thread counts in each round, alternating, and prints the 2-over-1 speed-up.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SHAPES } from './shapes.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root: the nearest folder above with a package.json. */
function findRoot(dir: string): string {
  return existsSync(join(dir, 'package.json')) ? dir : findRoot(resolve(dir, '..'));
}
const root = findRoot(here);
const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    threads: { type: 'string', default: '1' },
    steps: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '5' },
    python: { type: 'string', default: '/usr/bin/python3' },
    'torch-bench': { type: 'string', default: join(root, '..', 'shared', 'bench', 'torch_gpt_bench.py') },
    shape: { type: 'string', default: 'nanogpt-cpu' },
    batch: { type: 'string' },
  },
});
const shape = SHAPES[values.shape as keyof typeof SHAPES];
if (!shape) throw new Error(`--shape must be one of ${Object.keys(SHAPES).join(', ')}`);
/** The default shape runs the shared PyTorch script as before; another runs torch_train.py at that shape. */
const shaped = values.shape !== 'nanogpt-cpu';
const batch = values.batch ?? String(shape.batch);
const tmp = mkdtempSync(join(tmpdir(), 'lmkit-bench-'));

function defaultText(): string {
  const dir = join(root, 'node_modules', '@stdlib', 'datasets-sotu', 'data');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort();
  let text = '';
  for (const f of files) {
    if (text.length >= 1_000_000) break;
    text += readFileSync(join(dir, f), 'utf8') + '\n';
  }
  const path = join(tmp, 'text.txt');
  writeFileSync(path, text.slice(0, 1_000_000));
  return path;
}

const data = values.data ?? defaultText();
/** `--threads 1,2` runs each thread count in every round, interleaved. */
const threadCounts = values.threads.split(',');
const threads = threadCounts[0];
const common = (n: string) => ['--steps', values.steps, '--warmup', values.warmup, '--threads', n];

/** Runs a command under /usr/bin/time (when present) and returns its output and peak RSS in MiB. */
function timed(cmd: string, args: string[]): { out: string; rssMiB: number } {
  const rssFile = join(tmp, 'rss');
  const useTime = existsSync('/usr/bin/time');
  const r = useTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', '-o', rssFile, cmd, ...args], { encoding: 'utf8' })
    : spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
  const rss = useTime ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024 : NaN;
  return { out: r.stdout + r.stderr, rssMiB: rss };
}

function lmkitRun(script: string, extra: string[]) {
  return timed(process.execPath, [join(here, script), ...extra]);
}

/** The middle value (the mean of the two middle ones for an even count). */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

console.log(
  `env: OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? '(unset)'} OPENBLAS_L2_SIZE=${process.env.OPENBLAS_L2_SIZE ?? '(unset)'} threads=${values.threads}`,
);
console.log(`data: ${data}`);
console.log(
  `shape ${values.shape}: ${shape.layers} layers, ${shape.heads} heads, n_embd ${shape.embd}, block ${shape.block}, batch ${batch}`,
);
if (!shaped) {
  const mm = lmkitRun('sgemm.js', ['--threads', threads]).out.trim();
  const torchMm = timed(values.python, [
    values['torch-bench'],
    '--mm-only',
    '--coretype',
    'env',
    '--threads',
    threads,
  ]).out;
  console.log(mm);
  for (const line of torchMm.split('\n'))
    if (line.startsWith('torch.mm') || line.startsWith('OpenBLAS core')) console.log(line);
}
/** PyTorch's side of one round at `n` threads. */
const torchArgs = (n: string) =>
  shaped
    ? [
        join(root, 'bench', 'engine', 'torch_train.py'),
        ...[
          '--n-layer',
          String(shape.layers),
          '--n-head',
          String(shape.heads),
          '--n-embd',
          String(shape.embd),
        ],
        ...['--block', String(shape.block), '--batch', batch, '--data', data, ...common(n)],
      ]
    : [values['torch-bench'], '--no-mm', '--coretype', 'env', '--data', data, ...common(n)];

/** Each thread count's rounds: lmkit's and PyTorch's tokens/s. */
const runs = new Map(threadCounts.map((n) => [n, { ours: [] as number[], torch: [] as number[] }]));
for (let r = 0; r < Number(values.rounds); r++) {
  for (const n of threadCounts) {
    const ours = lmkitRun('gpt_train.js', [
      ...['--data', data, '--json', '--shape', values.shape, '--batch', batch],
      ...common(n),
    ]);
    const o = JSON.parse(ours.out.trim().split('\n').pop()!) as { tokensPerSec: number; core: string };
    const theirs = timed(values.python, torchArgs(n));
    const m = /GPT train threads=\d+: ([\d.]+) ms\/step, (\d+) tokens\/s/.exec(theirs.out);
    if (!m) throw new Error(`could not read PyTorch's result:\n${theirs.out}`);
    const torchTps = Number(m[2]);
    runs.get(n)!.ours.push(o.tokensPerSec);
    runs.get(n)!.torch.push(torchTps);
    console.log(
      `round ${r + 1}, threads ${n}: lmkit ${o.tokensPerSec.toFixed(0)} tokens/s (peak RSS ${ours.rssMiB.toFixed(0)} MiB, core ${o.core}), ` +
        `PyTorch ${torchTps} tokens/s (peak RSS ${theirs.rssMiB.toFixed(0)} MiB): lmkit/PyTorch ${(o.tokensPerSec / torchTps).toFixed(2)}`,
    );
  }
}
for (const [n, { ours, torch }] of runs) {
  const ratios = ours.map((x, i) => x / torch[i]);
  const [bestOurs, bestTorch] = [Math.max(...ours), Math.max(...torch)];
  console.log(
    `lmkit/PyTorch over ${ratios.length} rounds (threads=${n}): median ${median(ratios).toFixed(2)}x, ` +
      `best vs best ${(bestOurs / bestTorch).toFixed(2)}x (${bestOurs.toFixed(0)} vs ${bestTorch} tokens/s)`,
  );
}
if (threadCounts.length > 1) {
  const [a, b] = [threadCounts[0], threadCounts[threadCounts.length - 1]];
  const scale = (side: 'ours' | 'torch') =>
    median(runs.get(b)![side].map((x, i) => x / runs.get(a)![side][i])).toFixed(2);
  console.log(
    `${b} threads over ${a} (median of the rounds' ratios): lmkit ${scale('ours')}x, PyTorch ${scale('torch')}x`,
  );
}
