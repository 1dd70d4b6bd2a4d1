/**
 * Part-of-speech tagging on Brown with a fine-tuned BERT (`lmkit train --objective tag`), scored on the
 * POS probe's tokens (bench/embed/pos-probe.ts, bench/embed/pos-data.ts) so that its table compares: the
 * same training tokens (every --every-th sentence of Bengio's training split), the same test tokens (the
 * whole test split), the same tags, and accuracy on all tokens and on ambiguous words. Validation: every
 * 20th training sentence at offset 10 (none of the training ones), --max_eval_samples of them per
 * evaluation. A test sentence longer than the BERT's block is tagged in pieces of whole words that fit. The
 * same command prints the most-frequent-tag baseline (each word's commonest tag in the probe's training
 * tokens, else the commonest tag overall).
 *
 *   npm run build && node dist/bench/bert/pos.js --init BERT_DIR [--max-iters 1000] [--every 10]
 *     [--max-eval-samples 400] [--learning-rate 3e-4] [--max-time S] [--work DIR] [--test-every 1] [--reuse]
 * --reuse scores the --work folder's tag/best again instead of training (a run cut short after training).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TaggedSentence } from '../../src/data/brown.js';
import { BertClassifier } from '../../src/models/bert-classifier.js';
import { encodeWords } from '../../src/train/classify.js';
import { ProgressBar } from '../../src/util/progress.js';
import { brownPosSplit, tagsOfWords } from '../embed/pos-data.js';

const argv = process.argv.slice(2);
const flag = (name: string, fallback?: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const init = flag('init');
if (!init) throw new Error('give --init BERT_DIR (a BERT from lmkit train --model bert)');
const maxIters = flag('max-iters', '1000') as string;
const every = Number(flag('every', '10'));
const maxEval = flag('max-eval-samples', '400') as string;
const learningRate = flag('learning-rate', '3e-4') as string;
const maxTime = flag('max-time');
const testEvery = Number(flag('test-every', '1')); // > 1: a quick look at every k-th test sentence
const work = flag('work') ?? mkdtempSync(join(tmpdir(), 'lmkit-bench-pos-'));
mkdirSync(work, { recursive: true });
const root = [process.cwd(), fileURLToPath(new URL('../../..', import.meta.url))].find((r) =>
  existsSync(join(r, 'bin', 'lmkit.js')),
) as string;
const started = performance.now();

const parts = await brownPosSplit();
const train = parts.train.filter((_, i) => i % every === 0);
const tagSet = new Set(train.flatMap((s) => s.tags));
// validation sentences must carry training tags only (lmkit refuses a label it cannot predict)
const valid = parts.train.filter((s, i) => i % (2 * every) === every && s.tags.every((t) => tagSet.has(t)));
const test = parts.test.filter((_, i) => i % testEvery === 0);
const jsonl = (name: string, sentences: TaggedSentence[]) => {
  const path = join(work, name);
  writeFileSync(
    path,
    sentences.map((s) => JSON.stringify({ tokens: s.words, tags: s.tags })).join('\n') + '\n',
  );
  return path;
};
const out = join(work, 'tag');
const reuse = argv.includes('--reuse') && existsSync(join(out, 'best', 'config.json'));
const args = ['train', '--objective', 'tag', '--init', init, '--data', jsonl('train.jsonl', train),
  '--valid', jsonl('valid.jsonl', valid), '--max_iters', maxIters, '--eval_interval', '200',
  '--max_eval_samples', maxEval, '--learning_rate', learningRate, ...(maxTime ? ['--max-time', maxTime] : []),
  '--out', out, '--json']; // prettier-ignore
console.error(`${reuse ? 'reusing the run of' : '$'} lmkit ${args.join(' ')}`);
const summary = reuse
  ? lastEval(join(out, 'metrics.jsonl'))
  : (JSON.parse(
      execFileSync(process.execPath, [join(root, 'bin', 'lmkit.js'), ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      })
        .trim()
        .split('\n')
        .pop() as string,
    ) as Record<string, number>);

/** A finished run's figures from its metrics.jsonl: steps, training seconds, the best held-out accuracy. */
function lastEval(path: string): Record<string, number> {
  const evals = readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number | string>)
    .filter((r) => r.type === 'eval');
  const best = evals.reduce((a, b) => ((b.val_loss as number) < (a.val_loss as number) ? b : a));
  const end = evals[evals.length - 1];
  return {
    steps: end.step as number,
    seconds: Math.round(end.train_s as number),
    best_valid_accuracy: best.valid_accuracy as number,
  };
}

// tag the test split with the best checkpoint: each sentence in pieces of whole words that fit the block
const model = BertClassifier.load(join(out, 'best'));
const room = model.blockSize - 2;
const pieces: { ids: number[]; first: number[]; sentence: number; from: number }[] = [];
test.forEach((s, n) => {
  let from = 0;
  while (from < s.words.length) {
    let to = s.words.length;
    let enc = encodeWords(model.tokenizer, s.words.slice(from, to));
    while (enc.ids.length > room && to > from + 1) {
      to = from + Math.max(1, Math.floor((to - from) / 2));
      enc = encodeWords(model.tokenizer, s.words.slice(from, to));
    }
    pieces.push({ ...enc, sentence: n, from });
    from = to;
  }
});
pieces.sort((a, b) => a.ids.length - b.ids.length); // batches of similar length: less padding
const predicted = test.map((s) => new Array<string>(s.words.length).fill(''));
const bar = new ProgressBar(process.stderr, 'tagging the test split', pieces.length, 'pieces');
for (let i = 0; i < pieces.length; i += 256) {
  bar.update(i);
  const chunk = pieces.slice(i, i + 256);
  const pred = model.predict(chunk.map((p) => model.frame(p.ids)));
  chunk.forEach((p, k) =>
    p.first.forEach((pos, w) => {
      // position pos of the ids is pos + 1 of the framed sequence ([CLS] first); words past the block get none
      if (pos + 1 < pred[k].length - 1) predicted[p.sentence][p.from + w] = model.labels[pred[k][pos + 1]];
    }),
  );
}
bar.done();

// the most-frequent-tag baseline from the same training tokens
const counts = new Map<string, Map<string, number>>();
const overall = new Map<string, number>();
for (const s of train)
  s.words.forEach((w, i) => {
    const c = counts.get(w) ?? new Map<string, number>();
    c.set(s.tags[i], (c.get(s.tags[i]) ?? 0) + 1);
    counts.set(w, c);
    overall.set(s.tags[i], (overall.get(s.tags[i]) ?? 0) + 1);
  });
const commonest = (c: Map<string, number>) => [...c.entries()].sort((a, b) => b[1] - a[1])[0][0];
const fallback = commonest(overall);

const tagsOf = tagsOfWords(parts.train);
const score = { bert: [0, 0], mft: [0, 0], all: [0, 0] };
test.forEach((s, n) =>
  s.words.forEach((w, i) => {
    const ambiguous = (tagsOf.get(w)?.size ?? 0) >= 2 ? 1 : 0;
    score.all[0]++;
    score.all[1] += ambiguous;
    const gold = s.tags[i];
    if (predicted[n][i] === gold) {
      score.bert[0]++;
      score.bert[1] += ambiguous;
    }
    const c = counts.get(w);
    if ((c ? commonest(c) : fallback) === gold) {
      score.mft[0]++;
      score.mft[1] += ambiguous;
    }
  }),
);
const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(2)}%`;
console.log(
  `Brown POS tagging: ${tagSet.size} tags; trained on ${train.reduce((n, s) => n + s.words.length, 0)} tokens ` +
    `(every ${every}th training sentence), tested on ${score.all[0]} test tokens, ${score.all[1]} of them of ` +
    `words the training split shows with ≥ 2 tags.`,
);
console.log(
  `BERT: ${init}, ${summary.steps} steps (${summary.seconds} s), held-out accuracy at the best ` +
    `checkpoint ${(100 * summary.best_valid_accuracy).toFixed(2)}%\n`,
);
console.log('| method | accuracy, all tokens | accuracy, ambiguous words |');
console.log('|---|---|---|');
console.log(
  `| lmkit BERT fine-tuned (--objective tag) | ${pct(score.bert[0], score.all[0])} | ${pct(score.bert[1], score.all[1])} |`,
);
console.log(
  `| most frequent tag of the word in the training tokens | ${pct(score.mft[0], score.all[0])} | ${pct(score.mft[1], score.all[1])} |`,
);
console.log(`\n${((performance.now() - started) / 1000).toFixed(0)} s`);
