/**
 * word2vec (Mikolov et al. 2013): skip-gram and CBOW word vectors trained with negative sampling and/or
 * hierarchical softmax, under gensim 4's parameter names and defaults. The corpus is read once
 * (corpus.ts), the tables built (huffman.ts, sampling-tables.ts), then epochs of sentences run through
 * the native Hogwild kernel or the TypeScript reference (kernel-ref.ts) in chunks, reporting progress.
 */
import { availableParallelism } from 'node:os';
import { LmkitError } from '../errors.js';
import { Rng } from '../util/rng.js';
import type { Word2VecCorpus } from './corpus.js';
import { huffmanCodes } from './huffman.js';
import { trainSentencesRef, type KernelParams, type KernelResult, type Word2VecState } from './kernel-ref.js';
import { KeyedVectors } from './keyed-vectors.js';
import { hasNativeWord2Vec, trainSentencesNative } from './native-kernel.js';
import { keepThresholds, noiseTable } from './sampling-tables.js';

/** word2vec's settings, named as gensim names them (word2vec.c's flag in brackets). */
export interface Word2VecConfig {
  /** Skip-gram (sg=1, [-cbow 0]) or CBOW (sg=0). */
  sg: boolean;
  /** Dimensions of each vector [-size]. */
  vector_size: number;
  /** Largest distance between the centre and a context word [-window]. */
  window: number;
  /** Noise words per target; 0 turns negative sampling off [-negative]. */
  negative: number;
  /** Hierarchical softmax over a Huffman tree [-hs]. */
  hs: boolean;
  /** The exponent of the noise distribution. */
  ns_exponent: number;
  /** Subsampling threshold; 0 turns it off [-sample]. */
  sample: number;
  /** Words rarer than this are dropped [-min-count]. */
  min_count: number;
  /** Initial learning rate [-alpha]. */
  alpha: number;
  /** Final learning rate (linear decay). */
  min_alpha: number;
  /** Passes over the corpus [-iter]. */
  epochs: number;
  seed: number;
  /** Hogwild threads [-threads]. */
  workers: number;
}

/** gensim 4's defaults (CBOW, as gensim and word2vec.c; workers: every core). */
export const WORD2VEC_DEFAULTS: Word2VecConfig = {
  sg: false,
  vector_size: 100,
  window: 5,
  negative: 5,
  hs: false,
  ns_exponent: 0.75,
  sample: 1e-3,
  min_count: 5,
  alpha: 0.025,
  min_alpha: 0.0001,
  epochs: 5,
  seed: 1,
  workers: availableParallelism(),
};

/** Which inner loop runs: the native addon's, the TypeScript reference, or native when built (ref under LMKIT_BACKEND=ref). */
export type Word2VecBackend = 'native' | 'ref' | 'auto';

/** Progress of a run: words trained of the total, and the mean loss of the last chunk (NaN unless asked). */
export type Word2VecProgress = (wordsDone: number, totalWords: number, loss: number) => void;

/** What a run produced and how fast. */
export interface Word2VecResult {
  vectors: KeyedVectors;
  backend: 'native' | 'ref';
  /** Seconds spent in the epochs (the corpus and tables excluded). */
  seconds: number;
  /** CPU seconds of the whole process over the same span (every thread; on a shared machine, the fairer figure). */
  cpuSeconds: number;
  /** Corpus words (in-vocabulary, before subsampling) trained over all epochs. */
  words: number;
  /** Mean logistic loss per target over the last epoch (NaN unless computeLoss). */
  loss: number;
}

/** Checks settings, throwing an error that names the bad one. */
export function checkWord2VecConfig(c: Word2VecConfig): void {
  const need = (ok: boolean, what: string) => {
    if (!ok) throw new LmkitError(what);
  };
  need(Number.isInteger(c.vector_size) && c.vector_size >= 1, '--vector-size must be a whole number ≥ 1');
  need(Number.isInteger(c.window) && c.window >= 1, '--window must be a whole number ≥ 1');
  need(Number.isInteger(c.negative) && c.negative >= 0, '--negative must be a whole number ≥ 0');
  need(
    c.hs || c.negative > 0,
    'with --negative 0, turn on --hs (hierarchical softmax): training needs one of them',
  );
  need(c.sample >= 0, '--sample must be ≥ 0');
  need(Number.isInteger(c.min_count) && c.min_count >= 1, '--min-count must be a whole number ≥ 1');
  need(
    c.alpha > 0 && c.min_alpha >= 0 && c.min_alpha <= c.alpha,
    '--alpha must be > 0 and --min-alpha in [0, alpha]',
  );
  need(Number.isInteger(c.epochs) && c.epochs >= 1, '--epochs must be a whole number ≥ 1');
  need(Number.isInteger(c.workers) && c.workers >= 1, '--threads must be a whole number ≥ 1');
}

/** The tables and fresh weights of a run: syn0 uniform in [−1/D, 1/D) as gensim 4 (twice word2vec.c's range; better vectors on Brown), output weights zero. */
export function initialState(corpus: Word2VecCorpus, c: Word2VecConfig): Word2VecState {
  const V = corpus.words.length;
  const D = c.vector_size;
  const rng = new Rng(c.seed);
  const syn0 = new Float32Array(V * D);
  for (let i = 0; i < syn0.length; i++) syn0[i] = (rng.uniform() * 2 - 1) / D;
  return {
    syn0,
    syn1neg: new Float32Array(c.negative > 0 ? V * D : 0),
    syn1: new Float32Array(c.hs ? (V - 1) * D : 0),
    noise: noiseTable(corpus.counts, c.ns_exponent),
    keep: keepThresholds(corpus.counts, c.sample),
    huffman: huffmanCodes(corpus.counts),
  };
}

/** The kernel's settings for a run of `c` over `corpus`. */
export function kernelParams(corpus: Word2VecCorpus, c: Word2VecConfig, computeLoss: boolean): KernelParams {
  return {
    dim: c.vector_size,
    window: c.window,
    negative: c.negative,
    hs: c.hs,
    sg: c.sg,
    alpha: c.alpha,
    minAlpha: c.min_alpha,
    totalWords: Math.max(1, corpus.ids.length * c.epochs),
    seed: c.seed,
    computeLoss,
  };
}

/** Trains word vectors on a corpus. */
export function trainWord2Vec(
  corpus: Word2VecCorpus,
  config: Word2VecConfig,
  o: { backend?: Word2VecBackend; computeLoss?: boolean; onProgress?: Word2VecProgress } = {},
): Word2VecResult {
  checkWord2VecConfig(config);
  const want = o.backend ?? (process.env.LMKIT_BACKEND === 'ref' ? 'ref' : 'auto');
  const native = hasNativeWord2Vec();
  if (want === 'native' && !native)
    throw new LmkitError('the native word2vec kernel is not built', {
      hint: "build the addon with 'node scripts/build-native.mjs', or use --backend ref",
    });
  const backend = want === 'ref' || !native ? 'ref' : 'native';
  const st = initialState(corpus, config);
  const p = kernelParams(corpus, config, o.computeLoss ?? false);
  const starts = corpus.sentenceStarts;
  const S = starts.length - 1;
  const chunkWords = backend === 'native' ? 200_000 * config.workers : 20_000;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  let done = 0;
  let epochLoss = 0;
  let epochTargets = 0;
  for (let epoch = 0; epoch < config.epochs; epoch++) {
    epochLoss = 0;
    epochTargets = 0;
    for (let s0 = 0; s0 < S;) {
      let s1 = s0 + 1;
      while (s1 < S && starts[s1] - starts[s0] < chunkWords) s1++;
      const r: KernelResult =
        backend === 'native'
          ? trainSentencesNative(st, corpus.ids, starts, p, epoch, s0, s1, done, config.workers)
          : trainSentencesRef(st, corpus.ids, starts, p, epoch, s0, s1, done);
      done += r.words;
      epochLoss += r.loss;
      epochTargets += r.targets;
      o.onProgress?.(done, p.totalWords, p.computeLoss ? r.loss / Math.max(1, r.targets) : NaN);
      s0 = s1;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  return {
    vectors: new KeyedVectors(corpus.words, st.syn0, config.vector_size),
    backend,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    words: done,
    loss: p.computeLoss ? epochLoss / Math.max(1, epochTargets) : NaN,
  };
}
