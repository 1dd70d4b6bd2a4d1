/** `lmkit ngram train`: estimates a model from text as it streams in and writes it (flags in ../ngram.ts). */
import { statSync } from 'node:fs';
import { getDataset, isDatasetName } from '../../data/datasets.js';
import { streamSentences } from '../../data/load.js';
import { UsageError } from '../../errors.js';
import { MIN_COUNT_MEMORY } from '../../ngram/corpus-count.js';
import type { Discount } from '../../ngram/discounts.js';
import { NGramModel } from '../../ngram/ngram-model.js';
import { trainNGramStream, type Smoothing } from '../../ngram/train.js';
import { parseMemorySize } from '../../util/memory-size.js';
import { ProgressBar, readingBar } from '../../util/progress.js';
import type { CliIO, ParsedArgs } from '../args.js';

import { formatBytes, whenDone } from './ngram.js';

/** `lmkit ngram train`. */
export async function train(a: ParsedArgs, io: CliIO): Promise<number | void> {
  const out = a.string('out');
  if (!out) throw new UsageError('--out MODEL is required (e.g. --out model.arpa or --out model.bin)');
  const memoryBytes = parseMemorySize(a.string('memory') ?? '80%');
  if (memoryBytes < MIN_COUNT_MEMORY) {
    throw new UsageError(
      `--memory ${a.string('memory')} is too small to make progress: counting needs at least ${MIN_COUNT_MEMORY / 1024}K`,
      'give a larger size, e.g. --memory 1G (like lmplz -S)',
    );
  }
  const started = performance.now();
  const source = a.positional('TRAIN') as string;
  const preprocess = {
    lowercase: a.bool('lowercase'),
    clean: a.bool('clean'),
    tokenize: a.bool('tokenize'),
  };
  // Sentences are counted as the file is read and then dropped: memory holds the counts, not the text.
  // A file shows a reading bar; a dataset, which comes as one batch, a counting bar.
  const reading = readingBar(io.stderr);
  let read = false;
  let counting: ProgressBar | undefined;
  let loaded = started;
  const sentences = whenDone(
    streamSentences(source, {
      split: a.string('split'),
      splitScheme: a.string('scheme'),
      format: a.string('format') as never,
      onRead: (bytes, size) => {
        read = true;
        reading.update(bytes, size);
      },
      ...preprocess,
    }),
    () => {
      loaded = performance.now();
      reading.done();
      counting?.done();
    },
    (batch) => {
      if (!read) counting ??= new ProgressBar(io.stderr, 'counting', batch.length, 'sentences');
    },
  );
  let spilled = 0;
  const {
    model,
    warnings,
    sentences: counted,
  } = await trainNGramStream(sentences, {
    onProgress: (done) => counting?.update(done),
    order: a.number('order') as number,
    smoothing: a.string('smoothing') as Smoothing,
    level: a.string('level') as 'word' | 'char',
    k: a.number('k'),
    alpha: a.number('alpha'),
    prune: a.string('prune') === undefined ? undefined : parseNumbers(a.string('prune') as string, '--prune'),
    discounts:
      a.string('discounts') === undefined
        ? undefined
        : (a.string('discounts') as string).split(';').map((s) => parseDiscount(s, '--discounts')),
    fallback:
      a.string('discount-fallback') === undefined
        ? undefined
        : parseDiscount(a.string('discount-fallback') as string, '--discount-fallback'),
    skipSymbols: a.bool('skip-symbols'),
    unkInText: a.bool('unk-in-text') || mapsRareWords(source, a),
    preprocessing: preprocess,
    memoryBytes,
    tempDir: a.string('temp'),
    onSpill: ({ runs, merging }) => {
      spilled = runs;
      if (merging) io.stderr.write(`lmkit: merging ${runs} sorted runs spilled to disk\n`);
    },
  });
  for (const w of warnings) io.stderr.write(`lmkit: warning: ${w}\n`);
  const estimated = performance.now();
  new NGramModel(model).save(out);
  const done = performance.now();
  const summary = {
    model: out,
    order: model.order,
    smoothing: model.info.estimator,
    level: model.info.level,
    sentences: counted,
    ngrams: Array.from({ length: model.order }, (_, i) => model.size(i + 1)),
    bytes: statSync(out).size,
    spilled_runs: spilled,
    seconds: {
      load: (loaded - started) / 1000,
      estimate: (estimated - loaded) / 1000,
      write: (done - estimated) / 1000,
    },
    warnings,
  };
  if (a.json) {
    io.stdout.write(JSON.stringify(summary) + '\n');
  } else {
    io.stderr.write(
      `trained ${model.info.estimator} ${model.order}-gram (${model.info.level} level) on ${counted} sentences: ` +
        `${summary.ngrams.map((c, i) => `${c} ${i + 1}-grams`).join(', ')}\n` +
        `wrote ${out} (${formatBytes(summary.bytes)}) in ${((done - started) / 1000).toFixed(2)} s\n`,
    );
  }
}

/** Whether the data comes through the Bengio split, which replaces rare words by `<unk>`. */
function mapsRareWords(source: string, a: ParsedArgs): boolean {
  const split = a.string('split');
  if (split === undefined || split === 'all') return false;
  const scheme = a.string('scheme') ?? (isDatasetName(source) ? getDataset(source).defaultScheme : 'mod10');
  return scheme === 'bengio';
}

function parseNumbers(text: string, flag: string): number[] {
  const parts = text.split(/[,\s]+/).filter((p) => p !== '');
  const nums = parts.map(Number);
  if (!parts.length || nums.some((n) => !Number.isFinite(n)))
    throw new UsageError(`${flag} needs comma-separated numbers (got '${text}')`);
  return nums;
}

function parseDiscount(text: string, flag: string): Discount {
  const [d1, d2, d3] = parseNumbers(text, flag);
  if (d3 === undefined) throw new UsageError(`${flag} needs three discounts D1,D2,D3+ (got '${text}')`);
  return { d1, d2, d3 };
}
