/**
 * The word2vec inner loop in plain TypeScript: the reference the native kernel (native/word2vec.cc) is
 * tested against, and the fallback when the addon is not built. Both follow the same steps and draw the
 * same random numbers, so on one thread they give the same vectors up to float rounding.
 *
 * Legend: V = vocabulary size, D = vector size, N = corpus tokens, S = sentences.
 * syn0 (V,D) are the word vectors ("input" vectors), syn1neg (V,D) the output vectors of negative
 * sampling, syn1 (V-1,D) the inner-node vectors of hierarchical softmax.
 *
 * Per sentence (Mikolov et al. 2013; word2vec.c and gensim 4):
 * 1. the learning rate decays linearly with the words trained so far: α = α0 − (α0 − αmin)·done/total;
 * 2. frequent words are dropped by subsampling (before windows are formed);
 * 3. each position draws b uniform in [0, window) and sees window − b words on each side;
 * 4. skip-gram: each context word's vector h = syn0[c] predicts the centre word; CBOW: the mean h of the
 *    context vectors predicts it. Prediction is a sum of logistic losses ℓ(y, h·u) = −log σ((2y−1) h·u)
 *    over the centre's Huffman path (u = syn1[node], y = 1 − code bit) and/or the centre (y = 1) plus
 *    `negative` noise words (y = 0, u = syn1neg[w]);
 * 5. one SGD step on those losses: u −= α ∂ℓ/∂u for each target, then the context vector(s) move by
 *    −α ∂ℓ/∂h. For CBOW that is cw times the gradient with respect to each of the cw vectors averaged
 *    into h: word2vec.c and gensim (cbow_mean=1) apply the mean's full step to every context word, and
 *    so does lmkit, so that equal settings train alike.
 */
import type { HuffmanCodes } from './huffman.js';
import { drawNoise } from './sampling-tables.js';

/** The arrays a training run updates and reads. */
export interface Word2VecState {
  /** Word vectors. (V,D) */
  syn0: Float32Array;
  /** Output vectors of negative sampling (V,D), or empty when negative is 0. */
  syn1neg: Float32Array;
  /** Inner-node vectors of hierarchical softmax (V-1,D), or empty when hs is off. */
  syn1: Float32Array;
  /** The noise distribution's alias table (2V), see noiseTable. */
  noise: Uint32Array;
  /** Subsampling keep thresholds (V), see keepThresholds. */
  keep: Uint32Array;
  huffman: HuffmanCodes;
}

/** The settings of the inner loop. */
export interface KernelParams {
  dim: number;
  window: number;
  negative: number;
  hs: boolean;
  /** Skip-gram (true) or CBOW (false). */
  sg: boolean;
  alpha: number;
  minAlpha: number;
  /** Words (in-vocabulary, before subsampling) of all epochs: the denominator of the decay. */
  totalWords: number;
  seed: number;
  /** Accumulate the logistic losses (costs one log per target). */
  computeLoss: boolean;
}

/** What one call trained. */
export interface KernelResult {
  /** In-vocabulary words of the sentences trained (before subsampling). */
  words: number;
  /** Sum of the logistic losses, and how many there were (0 unless computeLoss). */
  loss: number;
  targets: number;
}

/** The random stream of one sentence of one epoch: a 32-bit hash of (seed, epoch, sentence), never 0. */
export function sentenceSeed(seed: number, epoch: number, sentence: number): number {
  let x = (seed ^ Math.imul(epoch + 1, 0x9e3779b9) ^ Math.imul(sentence + 1, 0x85ebca6b)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return x || 1;
}

/** The logistic loss ℓ(y, f) = −log σ((2y−1) f) of a dot product f with label y (0 or 1). */
export function logisticLoss(label: number, f: number): number {
  const z = label ? -f : f; // ℓ = log(1 + e^z)
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/**
 * Forward and SGD step of one logistic target, h (D) at syn[hOff] against u = out[uOff..] (D):
 * f = h·u; g = α (y − σ(f)) = −α ∂ℓ/∂f; neu1e += g u (−α ∂ℓ/∂h, applied to h by the caller); u += g h
 * (−α ∂ℓ/∂u). Returns ℓ(y, f) when `withLoss`, else 0.
 */
export function logisticStep(
  h: Float32Array,
  hOff: number,
  out: Float32Array,
  uOff: number,
  label: number,
  alpha: number,
  neu1e: Float32Array,
  D: number,
  withLoss: boolean,
): number {
  let f = 0;
  for (let d = 0; d < D; d++) f += h[hOff + d] * out[uOff + d];
  const g = (label - 1 / (1 + Math.exp(-f))) * alpha;
  for (let d = 0; d < D; d++) neu1e[d] += g * out[uOff + d];
  for (let d = 0; d < D; d++) out[uOff + d] += g * h[hOff + d];
  return withLoss ? logisticLoss(label, f) : 0;
}

/**
 * Trains sentences [s0, s1) of `epoch`, with `wordsBefore` words already trained in the run (for the
 * learning-rate decay). `ids` (N) and `starts` (S+1) are the corpus (see buildCorpus).
 */
export function trainSentencesRef(
  st: Word2VecState,
  ids: Int32Array,
  starts: Int32Array,
  p: KernelParams,
  epoch: number,
  s0: number,
  s1: number,
  wordsBefore: number,
): KernelResult {
  const D = p.dim;
  const { syn0, syn1neg, syn1, noise, keep } = st;
  const { offsets, codes, points } = st.huffman;
  const neu1 = new Float32Array(D);
  const neu1e = new Float32Array(D);
  const sen = new Int32Array(maxSentence(starts, s0, s1));
  let done = 0;
  let loss = 0;
  let targets = 0;
  const withLoss = p.computeLoss;

  for (let s = s0; s < s1; s++) {
    const a = starts[s];
    const b = starts[s + 1];
    const progress = (wordsBefore + done) / p.totalWords;
    const alpha = Math.max(p.minAlpha, p.alpha - (p.alpha - p.minAlpha) * progress);
    let r = sentenceSeed(p.seed, epoch, s);
    const next = (): number => {
      r ^= r << 13;
      r ^= r >>> 17;
      r ^= r << 5;
      return (r >>>= 0);
    };
    // 2. subsampling
    let n = 0;
    for (let k = a; k < b; k++) {
      const w = ids[k];
      const t = keep[w];
      if (t === 0xffffffff || next() < t) sen[n++] = w;
    }
    done += b - a;

    // one centre word's targets, for input vector h (in `src` at hOff)
    const predict = (src: Float32Array, hOff: number, centre: number): void => {
      if (p.hs) {
        for (let k = offsets[centre]; k < offsets[centre + 1]; k++) {
          loss += logisticStep(src, hOff, syn1, points[k] * D, 1 - codes[k], alpha, neu1e, D, withLoss);
          targets++;
        }
      }
      for (let d = 0; d <= p.negative && p.negative > 0; d++) {
        let target = centre;
        let label = 1;
        if (d > 0) {
          target = drawNoise(noise, next(), next());
          if (target === centre) continue;
          label = 0;
        }
        loss += logisticStep(src, hOff, syn1neg, target * D, label, alpha, neu1e, D, withLoss);
        targets++;
      }
    };

    for (let i = 0; i < n; i++) {
      const reduced = p.window - (next() % p.window); // 3. dynamic window
      const lo = Math.max(0, i - reduced);
      const hi = Math.min(n - 1, i + reduced);
      const centre = sen[i];
      if (p.sg) {
        for (let j = lo; j <= hi; j++) {
          if (j === i) continue;
          const c = sen[j] * D;
          neu1e.fill(0);
          predict(syn0, c, centre);
          for (let d = 0; d < D; d++) syn0[c + d] += neu1e[d];
        }
      } else {
        neu1.fill(0);
        let cw = 0;
        for (let j = lo; j <= hi; j++) {
          if (j === i) continue;
          const c = sen[j] * D;
          for (let d = 0; d < D; d++) neu1[d] += syn0[c + d];
          cw++;
        }
        if (!cw) continue;
        for (let d = 0; d < D; d++) neu1[d] /= cw;
        neu1e.fill(0);
        predict(neu1, 0, centre);
        for (let j = lo; j <= hi; j++) {
          if (j === i) continue;
          const c = sen[j] * D;
          for (let d = 0; d < D; d++) syn0[c + d] += neu1e[d];
        }
      }
    }
  }
  return { words: done, loss, targets };
}

function maxSentence(starts: Int32Array, s0: number, s1: number): number {
  let m = 0;
  for (let s = s0; s < s1; s++) m = Math.max(m, starts[s + 1] - starts[s]);
  return m;
}
