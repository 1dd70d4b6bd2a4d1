/**
 * Spam vs ham (the `spam` dataset: SpamAssassin, split by checksum hash) in one command: lmkit fine-tunes
 * a pretrained BERT (`--init`, e.g. one pretrained on Brown) with `--objective classify`, optionally the
 * same architecture from random weights (`--scratch`: what pretraining adds), and scikit-learn's bag-of-words
 * logistic regression (bench/bert/bow_logreg.py, Debian python3-sklearn) learns the same train split. Each
 * is scored on the same held-out test split: accuracy and macro-F1, and lmkit's over the baseline's.
 *
 *   npm run build && node dist/bench/bert/spam.js --init BERT_DIR [--max-iters 300] [--scratch]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spamExamples } from '../../src/data/spam.js';

const argv = process.argv.slice(2);
const flag = (name: string, fallback?: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const init = flag('init');
if (!init) throw new Error('give --init BERT_DIR (a BERT from lmkit train --model bert)');
const maxIters = flag('max-iters', '300') as string;
const root = [process.cwd(), fileURLToPath(new URL('../../..', import.meta.url))].find((r) =>
  existsSync(join(r, 'bench/bert/bow_logreg.py')),
) as string;
const lmkit = join(root, 'bin', 'lmkit.js');
const dir = mkdtempSync(join(tmpdir(), 'lmkit-bench-spam-'));

const examples = await spamExamples();
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

/** lmkit fine-tuning from `from` on the spam dataset: test figures of the best model. */
function finetune(from: string, name: string): Record<string, number> {
  const out = join(dir, name);
  const args = [
    'train',
    '--objective',
    'classify',
    '--init',
    from,
    '--data',
    'spam',
    '--max_iters',
    maxIters,
  ];
  process.stderr.write(`lmkit ${args.join(' ')}\n`);
  return last(
    execFileSync('node', [lmkit, ...args, '--out', out, '--json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
}

const rows: [string, Record<string, number>][] = [
  [`lmkit BERT (${init}), fine-tuned`, finetune(init, 'bert')],
];
if (argv.includes('--scratch')) {
  // the same architecture and tokenizer, untrained: a 1-step run at learning rate 1e-12 of the --init run's settings
  const fresh = join(dir, 'scratch-init');
  const t = (
    JSON.parse(readFileSync(join(init, 'config.json'), 'utf8')) as { training: Record<string, unknown> }
  ).training;
  const same = ['n_layer', 'n_head', 'n_embd', 'block_size', 'tokenizer'].flatMap((k) => [
    `--${k}`,
    String(t[k]),
  ]);
  execFileSync(
    'node',
    [
      lmkit,
      'train',
      '--model',
      'bert',
      ...same,
      '--data',
      'spam',
      '--max_iters',
      '1',
      '--learning_rate',
      '1e-12',
      '--out',
      fresh,
    ],
    {
      stdio: 'ignore',
    },
  );
  rows.push(['lmkit BERT from random weights, fine-tuned', finetune(join(fresh, 'best'), 'scratch')]);
}
process.stderr.write('scikit-learn bag-of-words logistic regression\n');
const lr = last(
  execFileSync(
    '/usr/bin/python3',
    [join(root, 'bench/bert/bow_logreg.py'), join(dir, 'train.jsonl'), join(dir, 'test.jsonl')],
    { encoding: 'utf8' },
  ),
);
rows.push(['scikit-learn bag of words + logistic regression', lr]);

const n = examples.filter((e) => e.split === 'test').length;
console.log(`spam test split: ${n} messages; lmkit fine-tuning ${maxIters} steps`);
console.log('| method | test accuracy | test macro-F1 | seconds |');
console.log('|---|---|---|---|');
for (const [name, r] of rows)
  console.log(`| ${name} | ${r.test_accuracy.toFixed(4)} | ${r.test_macro_f1.toFixed(4)} | ${r.seconds} |`);
const bert = rows[0][1];
console.log(
  `lmkit BERT / logistic regression: accuracy ${(bert.test_accuracy / lr.test_accuracy).toFixed(3)}x, macro-F1 ${(bert.test_macro_f1 / lr.test_macro_f1).toFixed(3)}x`,
);
