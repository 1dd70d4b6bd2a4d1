/**
 * A labelled dataset (`spam`: SpamAssassin, split by checksum hash; `poem-era`: Tang or Song poems, split by id
 * hash) in one command: lmkit fine-tunes a pretrained BERT (`--init`) with `--objective classify`, optionally
 * the same architecture from random weights (`--scratch`: what pretraining adds; `--no-pretrained` leaves the
 * pretrained row out, to measure the scratch row alone), and scikit-learn's logistic regression
 * (bench/bert/bow_logreg.py, Debian python3-sklearn) on a bag of words (or, for a character-level dataset, a
 * bag of characters) learns the same train split. Each is scored on the same held-out test split: accuracy
 * and macro-F1, and lmkit's over the baseline's.
 *
 *   npm run build && node dist/bench/bert/classify.js --init BERT_DIR [--data spam|poem-era] [--max-iters 300]
 *     [--scratch] [--no-pretrained] [--max-eval-samples N]
 *   node dist/bench/bert/classify.js --data poem-era --write-train-text FILE   # the train split's texts, one a
 *     line, to pretrain a BERT on (lmkit train --model bert --data FILE) without the test split's texts
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getDataset } from '../../src/data/datasets.js';

const argv = process.argv.slice(2);
const flag = (name: string, fallback?: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const data = flag('data', 'spam') as string;
const maxIters = flag('max-iters', '300') as string;
const maxEval = flag('max-eval-samples');
const root = [process.cwd(), fileURLToPath(new URL('../../..', import.meta.url))].find((r) =>
  existsSync(join(r, 'bench/bert/bow_logreg.py')),
) as string;
const lmkit = join(root, 'bin', 'lmkit.js');
const dir = mkdtempSync(join(tmpdir(), `lmkit-bench-${data}-`));

const dataset = getDataset(data);
if (!dataset.labelled) throw new Error(`${data} has no labels`);
const examples = await dataset.labelled();
const trainText = flag('write-train-text');
if (trainText) {
  const texts = examples.filter((e) => e.split === 'train').map((e) => e.text.replace(/\s+/g, ' '));
  writeFileSync(trainText, texts.join('\n') + '\n');
  console.log(`wrote ${texts.length} texts of ${data}'s train split to ${trainText}`);
  process.exit(0);
}
const init = flag('init');
if (!init) throw new Error('give --init BERT_DIR (a BERT from lmkit train --model bert)');
for (const split of ['train', 'test'] as const)
  writeFileSync(
    join(dir, `${split}.jsonl`),
    examples
      .filter((e) => e.split === split)
      .map((e) => JSON.stringify({ text: e.text, label: e.label }))
      .join('\n') + '\n',
  );

function last(out: string): Record<string, number> {
  return JSON.parse(out.trim().split('\n').pop() as string) as Record<string, number>;
}

/** lmkit fine-tuning from `from` on the dataset: test figures of the best model. */
function finetune(from: string, name: string): Record<string, number> {
  const out = join(dir, name);
  const args = ['train', '--objective', 'classify', '--init', from, '--data', data, '--max_iters', maxIters,
    ...(maxEval ? ['--max_eval_samples', maxEval] : [])]; // prettier-ignore
  process.stderr.write(`lmkit ${args.join(' ')}\n`);
  return last(
    execFileSync('node', [lmkit, ...args, '--out', out, '--json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
}

const rows: [string, Record<string, number>][] = [];
if (!argv.includes('--no-pretrained'))
  rows.push([`lmkit BERT (${init}), fine-tuned`, finetune(init, 'bert')]);
if (argv.includes('--scratch')) {
  // the same architecture and tokenizer, untrained: a 1-step run at learning rate 1e-12 of the --init run's settings
  const fresh = join(dir, 'scratch-init');
  const t = (
    JSON.parse(readFileSync(join(init, 'config.json'), 'utf8')) as { training: Record<string, unknown> }
  ).training;
  const same = ['n_layer', 'n_head', 'n_embd', 'block_size'].flatMap((k) => [`--${k}`, String(t[k])]);
  const tokenizer = join(init, 'tokenizer.json');
  execFileSync(
    'node',
    [lmkit, 'train', '--model', 'bert', ...same, '--tokenizer', tokenizer, '--data', data,
      '--max_iters', '1', '--learning_rate', '1e-12', '--eval_iters', '1', '--out', fresh], // prettier-ignore
    { stdio: 'ignore' },
  );
  rows.push(['lmkit BERT from random weights, fine-tuned', finetune(join(fresh, 'best'), 'scratch')]);
}
const bag = dataset.level === 'char' ? 'characters' : 'words';
process.stderr.write(`scikit-learn bag-of-${bag} logistic regression\n`);
const lr = last(
  execFileSync(
    '/usr/bin/python3',
    [join(root, 'bench/bert/bow_logreg.py'), join(dir, 'train.jsonl'), join(dir, 'test.jsonl'),
      ...(bag === 'characters' ? ['--chars'] : [])], // prettier-ignore
    { encoding: 'utf8' },
  ),
);
rows.push([`scikit-learn bag of ${bag} + logistic regression (${lr.features} features)`, lr]);

const n = examples.filter((e) => e.split === 'test').length;
console.log(`${data} test split: ${n} examples; lmkit fine-tuning ${maxIters} steps`);
console.log('| method | test accuracy | test macro-F1 | seconds |');
console.log('|---|---|---|---|');
for (const [name, r] of rows)
  console.log(`| ${name} | ${r.test_accuracy.toFixed(4)} | ${r.test_macro_f1.toFixed(4)} | ${r.seconds} |`);
for (const [name, r] of rows.slice(0, -1))
  console.log(
    `${name} / logistic regression: accuracy ${(r.test_accuracy / lr.test_accuracy).toFixed(3)}x, macro-F1 ${(r.test_macro_f1 / lr.test_macro_f1).toFixed(3)}x`,
  );
