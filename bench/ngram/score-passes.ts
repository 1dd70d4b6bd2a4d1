/**
 * Scoring throughput without the model load: loads a model once, then scores a text file several times
 * in the same process and prints each pass's tokens/s (the best pass is the steady-state figure).
 *
 *   node dist/bench/ngram/score-passes.js MODEL TEXT [PASSES]
 */
import { readFileSync } from 'node:fs';
import { ByteVocabulary, scoreBytes } from '../../src/ngram/byte-vocabulary.js';
import { Evaluator } from '../../src/ngram/evaluate.js';
import { NGramModel } from '../../src/ngram/ngram-model.js';

const [path, textPath, passesArg] = process.argv.slice(2);
const t0 = performance.now();
const model = NGramModel.load(path).backoff;
const vocab = new ByteVocabulary(model.vocab);
const load = (performance.now() - t0) / 1000;
const text = readFileSync(textPath);
const rates: number[] = [];
let tokens = 0;
for (let pass = 0; pass < Number(passesArg ?? 5); pass++) {
  const ev = new Evaluator(model);
  const start = performance.now();
  scoreBytes(model, vocab, text, ev);
  const seconds = (performance.now() - start) / 1000;
  tokens = ev.summary().tokens;
  rates.push(tokens / seconds);
}
console.log(
  JSON.stringify({
    load_seconds: load,
    tokens,
    best_tokens_per_second: Math.max(...rates),
    passes: rates.map(Math.round),
  }),
);
