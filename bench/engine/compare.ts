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
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

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
  },
});
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
const threads = values.threads;
const common = ['--steps', values.steps, '--warmup', values.warmup, '--threads', threads];

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
  `env: OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? '(unset)'} OPENBLAS_L2_SIZE=${process.env.OPENBLAS_L2_SIZE ?? '(unset)'} threads=${threads}`,
);
console.log(`data: ${data}`);
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

const ratios: number[] = [];
const ourRuns: number[] = [];
const torchRuns: number[] = [];
for (let r = 0; r < Number(values.rounds); r++) {
  const ours = lmkitRun('gpt_train.js', ['--data', data, '--json', ...common]);
  const o = JSON.parse(ours.out.trim().split('\n').pop()!) as { tokensPerSec: number; core: string };
  const theirs = timed(values.python, [
    values['torch-bench'],
    '--no-mm',
    '--coretype',
    'env',
    '--data',
    data,
    ...common,
  ]);
  const m = /GPT train threads=\d+: ([\d.]+) ms\/step, (\d+) tokens\/s/.exec(theirs.out);
  if (!m) throw new Error(`could not read PyTorch's result:\n${theirs.out}`);
  const torchTps = Number(m[2]);
  ratios.push(o.tokensPerSec / torchTps);
  ourRuns.push(o.tokensPerSec);
  torchRuns.push(torchTps);
  console.log(
    `round ${r + 1}: lmkit ${o.tokensPerSec.toFixed(0)} tokens/s (peak RSS ${ours.rssMiB.toFixed(0)} MiB, core ${o.core}), ` +
      `PyTorch ${torchTps} tokens/s (peak RSS ${theirs.rssMiB.toFixed(0)} MiB): lmkit/PyTorch ${(o.tokensPerSec / torchTps).toFixed(2)}`,
  );
}
const [bestOurs, bestTorch] = [Math.max(...ourRuns), Math.max(...torchRuns)];
console.log(
  `lmkit/PyTorch over ${ratios.length} rounds (threads=${threads}): median ${median(ratios).toFixed(2)}x, ` +
    `best vs best ${(bestOurs / bestTorch).toFixed(2)}x (${bestOurs.toFixed(0)} vs ${bestTorch} tokens/s)`,
);
