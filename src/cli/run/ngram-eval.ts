/** `lmkit ngram eval`: perplexity of a model on a test text, read as it streams in (flags in ../ngram.ts). */
import type { TextFormat } from '../../data/sentences.js';
import type { ReadProgress } from '../../data/text-lines.js';
import { LmkitError } from '../../errors.js';
import type { BackoffModel } from '../../ngram/backoff-model.js';
import { Evaluator, type EvalSummary } from '../../ngram/evaluate.js';
import { loadForScoring } from '../../ngram/load-for-scoring.js';
import { scoreFileNatively } from '../../ngram/score-file.js';
import { tokenizeSentence } from '../../ngram/tokenize.js';
import { readingBar } from '../../util/progress.js';
import type { CliIO, ParsedArgs } from '../args.js';

import { summaryJson } from './ngram-summary.js';

/** `lmkit ngram eval`. */
export async function evaluate(a: ParsedArgs, io: CliIO): Promise<number | void> {
  const model = await loadForScoring(a.positional('MODEL') as string);
  const ev = new Evaluator(model);
  const reading = readingBar(io.stderr);
  const native = await scoreFileNatively(model, a.positional('TEST') as string, {
    split: a.string('split'),
    scheme: a.string('scheme'),
    format: a.string('format') as TextFormat | undefined,
    onRead: reading.update,
  }).finally(reading.done);
  if (native) ev.addTotals(native);
  else {
    // The dataset readers load only when the TypeScript path reads the text.
    const { whenDone } = await import('./ngram.js');
    for await (const batch of whenDone(await testSentences(model, a, reading.update), reading.done))
      for (const s of batch) ev.add(tokenizeSentence(s, model.info.level));
  }
  const s = ev.summary();
  checkTokenization(s, a.bool('allow-oov'));
  if (a.json) {
    io.stdout.write(JSON.stringify(summaryJson(s)) + '\n');
    return;
  }
  io.stdout.write(
    `sentences ${s.sentences}, tokens ${s.tokens}, OOVs ${s.oov} (${((100 * s.oov) / s.tokens).toFixed(1)}%)\n` +
      `perplexity including OOVs: ${fmtPpl(s.perplexity)}\n` +
      `perplexity excluding OOVs: ${fmtPpl(s.perplexityExclOov)}\n` +
      (s.zeroProbEvents
        ? `zero-probability events: ${s.zeroProbEvents} (the model gives them probability 0)\n`
        : ''),
  );
}

/** The test sentences, in batches as the file is read, preprocessed as the model's training text was. */
async function testSentences(
  model: BackoffModel,
  a: ParsedArgs,
  onRead: ReadProgress,
): Promise<AsyncGenerator<string[]>> {
  const d = model.info.details ?? {};
  const { streamSentences } = await import('../../data/load.js');
  return streamSentences(a.positional('TEST') as string, {
    onRead,
    split: a.string('split'),
    splitScheme: a.string('scheme'),
    format: a.string('format') as never,
    lowercase: d.lowercase === true,
    clean: d.clean === true,
    tokenize: d.tokenize === true,
  });
}

/** A test file whose tokens are mostly unknown was almost surely split or cased differently from the training text. */
function checkTokenization(s: EvalSummary, allow: boolean): void {
  const words = s.tokens - s.sentences;
  if (!allow && words >= 20 && s.oov > 0.5 * words) {
    throw new LmkitError(
      `${s.oov} of ${words} test tokens (${((100 * s.oov) / words).toFixed(0)}%) are not in the model's vocabulary: ` +
        'the test text seems tokenized differently from the training text (word vs character level, case, spacing)',
      { hint: 'train and test with the same --level and preprocessing, or pass --allow-oov to score anyway' },
    );
  }
}

function fmtPpl(v: number): string {
  return Number.isFinite(v) ? v.toFixed(3) : v === Infinity ? 'infinite' : 'undefined';
}
