/**
 * How fast `lmkit eval` scores with a GPT, against training on the same machine and against PyTorch
 * scoring the same windows with the same weights (issue 10): nanoGPT's CPU shape (4 layers, 4 heads,
 * n_embd 128, block 64, no biases), character tokens, one BLAS thread on both sides.
 *
 * 1. `lmkit train` on the first 1 MB of the SOTU speeches (file-name order) for --iters steps: its tokens/s.
 * 2. The next 45 KB as one stream, scored in this process by the model's own scorer (sliding windows of
 *    block + 1 tokens, stride block/2), alternating --rounds times with bench/gpt/torch_score.py
 *    (Debian's python3-torch, /usr/bin/python3) on the same ids, windows and weights; both print
 *    tokens/s, and their nats must agree (float32 sums, so to about 1e-5 relative).
 * 3. `lmkit eval CKPT FILE --json` on the same 45 KB as a user runs it: wall time and peak RSS.
 *
 *   npm run build && node dist/bench/gpt/eval.js [--iters 200] [--rounds 3] [--python /usr/bin/python3]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadLanguageModel } from '../../src/models/load.js';
import type { GPTModel } from '../../src/models/gpt.js';
import { setBlasThreads } from '../../src/tensor/index.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root: the nearest folder above with a package.json. */
function findRoot(dir: string): string {
  return existsSync(join(dir, 'package.json')) ? dir : findRoot(resolve(dir, '..'));
}
const root = findRoot(here);
const { values } = parseArgs({
  options: {
    iters: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});
const lmkit = join(root, 'bin', 'lmkit.js');
const env = { ...process.env, LMKIT_THREADS: '1' };
const tmp = mkdtempSync(join(tmpdir(), 'lmkit-bench-eval-'));

const sotu = join(root, 'node_modules', '@stdlib', 'datasets-sotu', 'data');
const all = readdirSync(sotu)
  .filter((f) => f.endsWith('.txt'))
  .sort()
  .map((f) => readFileSync(join(sotu, f), 'utf8'))
  .join('\n');
const files = { train: join(tmp, 'train.txt'), eval: join(tmp, 'eval.txt') };
writeFileSync(files.train, all.slice(0, 1_000_000));
const evalText = all.slice(1_000_000, 1_045_000);
writeFileSync(files.eval, evalText);

/** Runs a command under /usr/bin/time; its stdout, wall seconds and peak RSS in MiB. */
function timed(cmd: string, args: string[]): { out: string; seconds: number; rssMiB: number } {
  const rssFile = join(tmp, 'rss');
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', rssFile, cmd, ...args], {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return {
    out: r.stdout,
    seconds,
    rssMiB: Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024,
  };
}

const ckpt = join(tmp, 'gpt');
const shape = [
  '--n_layer',
  '4',
  '--n_head',
  '4',
  '--n_embd',
  '128',
  '--block_size',
  '64',
  '--batch_size',
  '12',
];
const train = JSON.parse(
  timed(process.execPath, [
    lmkit,
    'train',
    '--model',
    'gpt',
    '--tokenizer',
    'char',
    '--data',
    files.train,
    ...shape,
    '--no-bias',
    '--max_iters',
    values.iters,
    '--eval_interval',
    values.iters,
    '--eval_iters',
    '2',
    '--out',
    ckpt,
    '--json',
  ]).out,
) as { tokens_per_s: number };

setBlasThreads(1);
const model = loadLanguageModel(ckpt) as GPTModel;
const seq = model.tokenizer.encode(evalText);
const stream = Int32Array.from([...model.prefix, ...seq]);
const idsFile = join(tmp, 'ids.i32');
writeFileSync(idsFile, Buffer.from(stream.buffer));
const stride = model.scoreStride();

const ours: { tokPerS: number; nats: number }[] = [];
const theirs: { tokPerS: number; nats: number }[] = [];
for (let r = 0; r < Number(values.rounds); r++) {
  const t0 = performance.now();
  const [lp] = model.scoreSequences([seq], { stride });
  const s = (performance.now() - t0) / 1000;
  ours.push({ tokPerS: seq.length / s, nats: -lp.reduce((a, b) => a + b, 0) });
  const py = JSON.parse(
    execFileSync(
      values.python,
      [
        join(root, 'bench', 'gpt', 'torch_score.py'),
        ckpt,
        idsFile,
        '--stride',
        String(stride),
        '--first',
        String(model.prefix.length),
      ],
      { env, encoding: 'utf8' },
    ),
  ) as { tokens: number; nats: number; seconds: number };
  if (py.tokens !== seq.length) throw new Error(`PyTorch scored ${py.tokens} tokens, lmkit ${seq.length}`);
  theirs.push({ tokPerS: py.tokens / py.seconds, nats: py.nats });
}
const best = (xs: { tokPerS: number }[]) => Math.max(...xs.map((x) => x.tokPerS));
const cli = timed(process.execPath, [lmkit, 'eval', ckpt, files.eval, '--json']);
const cliJson = JSON.parse(cli.out) as { tokens: number; seconds: number; perplexity: number };

const k = (x: number) => `${(x / 1000).toFixed(1)}k`;
console.log(
  `GPT 4×128, block 64, char vocabulary ${model.config.vocab_size}, ${seq.length} tokens, stride ${stride}, 1 thread`,
);
console.log(`training (lmkit train, ${values.iters} steps):  ${k(train.tokens_per_s)} tok/s`);
console.log(
  `scoring, lmkit (best of ${values.rounds}):      ${k(best(ours))} tok/s  rounds ${ours.map((o) => k(o.tokPerS)).join(' ')}`,
);
console.log(
  `scoring, PyTorch (best of ${values.rounds}):    ${k(best(theirs))} tok/s  rounds ${theirs.map((o) => k(o.tokPerS)).join(' ')}`,
);
console.log(
  `nats: lmkit ${ours[0].nats.toFixed(3)}, PyTorch ${theirs[0].nats.toFixed(3)} (relative difference ${(Math.abs(ours[0].nats - theirs[0].nats) / theirs[0].nats).toExponential(1)})`,
);
console.log(
  `ratios: lmkit scoring / lmkit training ${(best(ours) / train.tokens_per_s).toFixed(2)}×, lmkit / PyTorch scoring ${(best(ours) / best(theirs)).toFixed(2)}×`,
);
console.log(
  `lmkit eval CKPT FILE (whole command): ${cli.seconds.toFixed(2)} s wall, ${cliJson.seconds.toFixed(2)} s scoring ${cliJson.tokens} tokens ` +
    `(${k(cliJson.tokens / cliJson.seconds)} tok/s), peak RSS ${cli.rssMiB.toFixed(0)} MiB, perplexity ${cliJson.perplexity.toFixed(3)}`,
);
