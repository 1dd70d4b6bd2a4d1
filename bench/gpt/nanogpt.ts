/**
 * nanoGPT's CPU recipe on SOTU, lmkit against PyTorch in one command: 4 layers, 4 heads, n_embd 128,
 * block 64, batch 12, no biases, AdamW 1e-3 (0.9, 0.99, wd 0.1), warmup 100, cosine to 1e-4, dropout 0.
 * Both train on the first 90% of the characters of all speeches (file-name order) and validate on the
 * last 10%: PyTorch through ../shared/bench/nanogpt_cpu_ref.py on the whole file, lmkit on the two parts
 * (its loader splits raw text into sentences joined by newlines, so whitespace differs slightly).
 * Both run under the same environment (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE as the machine sets them) and one thread.
 *
 *   npm run build && node dist/bench/gpt/nanogpt.js [--max-iters 2000]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const at = argv.indexOf('--max-iters');
const maxIters = at >= 0 ? Number(argv[at + 1]) : 2000;
const root = process.cwd();
const reference = join(root, '..', 'shared', 'bench', 'nanogpt_cpu_ref.py');
const sotuDir = join(root, 'node_modules', '@stdlib', 'datasets-sotu', 'data');

const dir = mkdtempSync(join(tmpdir(), 'lmkit-bench-gpt-'));
const text = readdirSync(sotuDir)
  .filter((f) => f.endsWith('.txt'))
  .sort()
  .map((f) => readFileSync(join(sotuDir, f), 'utf8'))
  .join('');
const cut = Math.floor(text.length * 0.9);
const files = { all: join(dir, 'sotu.txt'), train: join(dir, 'train.txt'), valid: join(dir, 'valid.txt') };
writeFileSync(files.all, text);
writeFileSync(files.train, text.slice(0, cut));
writeFileSync(files.valid, text.slice(cut));

const env: NodeJS.ProcessEnv = {
  ...process.env,
  OMP_NUM_THREADS: '1',
  OPENBLAS_NUM_THREADS: '1',
  LMKIT_THREADS: '1',
};

function lastJson(out: string): Record<string, number> {
  const line = out
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  return JSON.parse(line as string);
}

const recipe = [
  '--max_iters',
  String(maxIters),
  '--lr_decay_iters',
  String(maxIters),
  '--eval_interval',
  '250',
];
const lmkitStart = performance.now();
const lmkit = lastJson(
  execFileSync(
    process.execPath,
    [
      join(root, 'bin', 'lmkit.js'),
      'train',
      '--model',
      'gpt',
      '--data',
      files.train,
      '--valid',
      files.valid,
      '--tokenizer',
      'char',
      '--no-bias',
      ...recipe,
      '--out',
      join(dir, 'run'),
      '--json',
    ],
    { env, encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'ignore'] },
  ),
);
const lmkitWall = (performance.now() - lmkitStart) / 1000;
const torch = lastJson(
  execFileSync(
    '/usr/bin/python3',
    [reference, '--data', files.all, '--max-iters', String(maxIters), '--lr-decay-iters', String(maxIters)],
    {
      env,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    },
  ),
);
console.log(JSON.stringify({ lmkit, lmkit_wall_s: lmkitWall, torch }));
console.log('| who | steps | final train loss | final validation loss | tokens/s | training loop wall s |');
console.log('|---|---|---|---|---|---|');
console.log(
  `| lmkit | ${maxIters} | ${lmkit.train_loss.toFixed(3)} | ${lmkit.val_loss.toFixed(3)} | ${Math.round(lmkit.tokens_per_s)} | ${lmkit.seconds.toFixed(0)} (+${(lmkitWall - lmkit.seconds).toFixed(0)} s start-up and data loading) |`,
);
const tv = torch.val_loss ?? torch.final_val_loss;
const tt = torch.train_loss ?? torch.final_train_loss;
console.log(
  `| PyTorch (nanogpt_cpu_ref.py) | ${maxIters} | ${Number(tt).toFixed(3)} | ${Number(tv).toFixed(3)} | ${Math.round(torch.tokens_per_s)} | ${Number(torch.wall_s).toFixed(0)} |`,
);
console.log(
  `lmkit/PyTorch tokens/s: ${(lmkit.tokens_per_s / torch.tokens_per_s).toFixed(2)}×; validation loss difference ${(lmkit.val_loss - Number(tv)).toFixed(3)}`,
);
