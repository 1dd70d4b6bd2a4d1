/** Trains an n-gram model of any order with any of the estimators, from sentences of text. */
import type { Preprocessing } from '../data/clean.js';
import { LmkitError } from '../errors.js';
import { estimateAddK } from './add-k.js';
import type { BackoffModel } from './backoff-model.js';
import { NGramCounter } from './corpus-count.js';
import type { Discount } from './discounts.js';
import { estimateKneserNey } from './kneser-ney.js';
import { estimateStupidBackoff } from './stupid-backoff.js';
import { tokenizeSentence, type TokenLevel } from './tokenize.js';
import { BOS, EOS } from './vocabulary.js';

export type Smoothing = 'kn' | 'mle' | 'addk' | 'stupid';

export interface NGramTrainOptions {
  order: number;
  smoothing: Smoothing;
  level?: TokenLevel;
  /** add-k constant (default 1: Laplace). */
  k?: number;
  /** stupid backoff factor (default 0.4). */
  alpha?: number;
  /** Kneser-Ney: count pruning thresholds per order. */
  prune?: number[];
  /** Kneser-Ney: explicit discounts per order. */
  discounts?: Discount[];
  /** Kneser-Ney: discounts for orders whose estimate fails. */
  fallback?: Discount;
  /** Drop `<s>`, `</s>`, `<unk>` found in the text instead of failing. */
  skipSymbols?: boolean;
  /** Treat `<unk>` in the text as the unknown-word token (e.g. the Bengio split) instead of failing. */
  unkInText?: boolean;
  /** Called now and then with the number of sentences counted. */
  onProgress?: (sentences: number) => void;
  /** Bytes counting may use before it spills sorted runs to disk (default: no bound). */
  memoryBytes?: number;
  /** Folder for spilled runs (default the system temporary folder). */
  tempDir?: string;
  /** Told when counting spills a run to disk or starts merging the runs. */
  onSpill?: (event: { runs: number; merging?: boolean }) => void;
  /** How the sentences were prepared; recorded in the model, which prepares text it scores or continues alike. */
  preprocessing?: Partial<Preprocessing>;
}

/** Counts the sentences and estimates a model; warnings are things the user should know. */
export function trainNGram(sentences: Iterable<string>, options: NGramTrainOptions): NGramTrainResult {
  const counter = startCounting(options);
  const level = options.level ?? 'word';
  try {
    if (level === 'word') {
      let batch: string[] = [];
      for (const s of sentences) {
        batch.push(s);
        if (batch.length === 8192) {
          counter.addLines(batch);
          batch = [];
        }
      }
      counter.addLines(batch);
    } else for (const s of sentences) counter.add(tokenizeSentence(s, level));
  } catch (err) {
    counter.dispose();
    throw err;
  }
  return estimate(counter, options);
}

/**
 * {@link trainNGram} for sentences that arrive in batches (e.g. as a file is read): each batch is counted
 * and dropped, so memory holds the counts, not the text.
 */
export async function trainNGramStream(
  batches: AsyncIterable<readonly string[]>,
  options: NGramTrainOptions,
): Promise<NGramTrainResult> {
  const counter = startCounting(options);
  const level = options.level ?? 'word';
  try {
    for await (const batch of batches) {
      if (level === 'word') counter.addLines(batch);
      else for (const s of batch) counter.add(tokenizeSentence(s, level));
    }
  } catch (err) {
    counter.dispose(); // spilled runs go now, not at exit
    throw err;
  }
  return estimate(counter, options);
}

/** A trained model, what the user should know about it, and how many sentences it was counted from. */
export interface NGramTrainResult {
  model: BackoffModel;
  warnings: string[];
  sentences: number;
}

function startCounting(options: NGramTrainOptions): NGramCounter {
  if (!Number.isInteger(options.order) || options.order < 1) {
    throw new LmkitError(`the n-gram order must be a whole number ≥ 1 (got ${options.order})`);
  }
  if (options.prune?.length && options.smoothing !== 'kn') {
    throw new LmkitError('--prune applies to Kneser-Ney models only (--smoothing kn)');
  }
  return new NGramCounter(options.order, {
    skipSymbols: options.skipSymbols,
    unkInText: options.unkInText,
    onProgress: options.onProgress,
    memoryBytes: options.memoryBytes,
    tempDir: options.tempDir,
    onSpill: options.onSpill,
  });
}

function estimate(counter: NGramCounter, options: NGramTrainOptions): NGramTrainResult {
  const level = options.level ?? 'word';
  const counts = counter.finish();
  let words = 0;
  for (let w = 0; w < counts.vocab.size; w++) if (w !== BOS) words += counts.counts[1][w];
  words -= counts.counts[1][EOS];
  if (words === 0)
    throw new LmkitError('the training text has no words', { hint: 'check the file is not empty' });

  let model: BackoffModel;
  let warnings: string[] = [];
  switch (options.smoothing) {
    case 'kn': {
      const est = estimateKneserNey(counts, options);
      model = est.model;
      warnings = est.warnings;
      model.info.details = {
        discounts: est.discounts,
        ...(options.prune?.length ? { prune: options.prune } : {}),
      };
      break;
    }
    case 'mle':
      model = estimateAddK(counts, 0);
      break;
    case 'addk': {
      const k = options.k ?? 1;
      if (!(k > 0)) throw new LmkitError(`add-k needs k > 0 (got ${k}); use --smoothing mle for k = 0`);
      model = estimateAddK(counts, k);
      break;
    }
    case 'stupid': {
      const alpha = options.alpha ?? 0.4;
      if (!(alpha > 0 && alpha <= 1))
        throw new LmkitError(`stupid backoff needs 0 < alpha ≤ 1 (got ${alpha})`);
      model = estimateStupidBackoff(counts, alpha);
      break;
    }
    default:
      throw new LmkitError(`unknown smoothing '${String(options.smoothing)}'; use kn, mle, addk or stupid`);
  }
  model.info.level = level;
  if (options.preprocessing) model.info.details = { ...model.info.details, ...options.preprocessing };
  return { model, warnings, sentences: counter.sentences };
}
