/**
 * One measured step of the n-gram benchmark, run in its own process so its peak RSS is its own:
 *   build ORDER TRAIN OUT   estimate Kneser-Ney from a text file and write the model
 *   query MODEL TEXT        load a model (ARPA or binary) and score every token of a text file
 * Prints one JSON line.
 */
import { readFileSync, statSync } from 'node:fs';
import { ByteVocabulary, scoreBytes } from '../../src/ngram/byte-vocabulary.js';
import { Evaluator } from '../../src/ngram/evaluate.js';
import { NGramModel } from '../../src/ngram/ngram-model.js';
import { splitLines } from '../../src/ngram/tokenize.js';
import { trainNGram } from '../../src/ngram/train.js';

const [mode, ...args] = process.argv.slice(2);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
if (mode === 'build') {
  const [order, train, out] = args;
  const { model } = trainNGram(splitLines(readFileSync(train, 'utf8')), {
    order: Number(order),
    smoothing: 'kn',
  });
  new NGramModel(model).save(out);
  let ngrams = 0;
  for (let n = 1; n <= model.order; n++) ngrams += model.size(n);
  report({ seconds: (performance.now() - t0) / 1000, ngrams, bytes: statSync(out).size });
} else if (mode === 'query') {
  const [path, text] = args;
  const rssBeforeLoad = process.memoryUsage().rss;
  const model = NGramModel.load(path).backoff;
  const loaded = performance.now();
  const rssAfterLoad = process.memoryUsage().rss;
  const ev = new Evaluator(model);
  scoreBytes(model, new ByteVocabulary(model.vocab), readFileSync(text), ev);
  const s = ev.summary();
  const seconds = (performance.now() - t0) / 1000;
  let ngrams = 0;
  for (let n = 1; n <= model.order; n++) ngrams += model.size(n);
  report({
    seconds,
    load_seconds: (loaded - t0) / 1000,
    tokens: s.tokens,
    tokens_per_second: s.tokens / seconds,
    // CPU time of this process over the same span: on a shared machine, less noisy than wall time.
    cpu_seconds: cpuSeconds(),
    perplexity: s.perplexity,
    ngrams,
    // Mapped model files count only once scoring has touched their pages.
    model_rss_mb: (rssAfterLoad - rssBeforeLoad) / 2 ** 20,
  });
} else {
  throw new Error(`unknown mode ${mode}`);
}

function cpuSeconds(): number {
  const u = process.cpuUsage(cpu0);
  return (u.user + u.system) / 1e6;
}

function report(fields: Record<string, unknown>): void {
  process.stdout.write(
    JSON.stringify({ ...fields, max_rss_mb: process.resourceUsage().maxRSS / 1024 }) + '\n',
  );
}
