/**
 * Log-probabilities of token sequences, each scored from the model's start: for a sequence t₀ … t_{k−1},
 * log p(tᵢ | start, t₀ … t_{i−1}) for every i. The generic way steps a `DecoderState` (start([]), then
 * logProbs()[t] and push(t)); some kinds have a faster way to the same numbers, used when they have one:
 * - n-gram (normalized estimators): the backoff model's own score of the one token, as `lmkit ngram eval`
 *   computes it, instead of a whole distribution per token;
 * - NPLM: many contexts in one batched forward pass;
 * - GPT: windows of block_size tokens in one forward pass each, sliding by `stride` (below);
 * - mixture: each component's scores, mixed per token.
 *
 * GPT sliding windows (as Hugging Face's perplexity recipe): the stream is the GPT's start tokens followed
 * by the sequence. Window k covers stream positions [k·stride, k·stride + block_size] (inputs all but the
 * last); it scores only the tokens no earlier window scored. So every token is scored exactly once, with
 * all of its history when it lies in the first block, else with at least block_size − stride tokens of
 * context. stride = 1 gives every token a full block of context, exactly what the `DecoderState` gives
 * (one forward per token); stride = block_size cuts the text into independent blocks (cheapest, worst).
 */
import { LmkitError } from '../errors.js';
import type { LanguageModel } from '../lm.js';
import { GPTModel } from '../models/gpt.js';
import { MixtureModel, mixLogProbs } from '../models/mixture.js';
import { NPLMModel } from '../models/nplm.js';
import { NGramModel } from '../ngram/ngram-model.js';
import { logSoftmax } from '../tensor/ops/softmax.js';
import { IntTensor, noGrad, tidy } from '../tensor/tensor.js';

/** How to score. */
export interface ScoreOptions {
  /** GPT window stride in tokens (1 … block_size; default ⌈block_size / 2⌉). */
  stride?: number;
  /** Use only the generic `DecoderState` path (for checking the fast paths). */
  generic?: boolean;
  /** Called after each sequence (or batch) with the number of tokens scored so far. */
  onProgress?(tokens: number): void;
  /** For a mixture (fast path): receives each component's own scores before they are mixed. */
  onComponents?(first: Float64Array[], second: Float64Array[]): void;
}

/** NPLM contexts per forward pass. */
const NPLM_BATCH = 512;
/** GPT windows per forward pass: as many as keep the (n, T, V) log-probabilities near this many floats. */
const GPT_BATCH_FLOATS = 1 << 23;

/** The GPT window stride used for `model` or a GPT in a mixture (the default when not given); null for other kinds. */
export function strideFor(model: LanguageModel, stride?: number): number | null {
  if (model instanceof MixtureModel) {
    const a = strideFor(model.first, stride);
    const b = strideFor(model.second, stride);
    if (a !== null && b !== null && a !== b)
      throw new LmkitError(`the two GPTs of the mixture have different default strides (${a}, ${b})`, {
        hint: 'give --stride',
      });
    return a ?? b;
  }
  if (!(model instanceof GPTModel)) return null;
  const block = model.config.block_size;
  const s = stride ?? Math.ceil(block / 2);
  if (!Number.isInteger(s) || s < 1 || s > block)
    throw new LmkitError(`--stride must be a whole number from 1 to the block size ${block} (got ${s})`);
  return s;
}

/** Natural-log probabilities of every token of every sequence, each sequence scored from the model's start. */
export function scoreSequences(
  model: LanguageModel,
  sequences: readonly (readonly number[])[],
  o: ScoreOptions = {},
): Float64Array[] {
  let done = 0;
  const progress = <T extends { length: number }>(scored: T, count = scored.length): T => {
    done += count;
    o.onProgress?.(done);
    return scored;
  };
  if (!o.generic) {
    if (model instanceof MixtureModel) return scoreMixture(model, sequences, o, progress);
    if (model instanceof NGramModel && model.backoff.info.estimator !== 'stupid')
      return sequences.map((s) => progress(scoreNGram(model, s)));
    if (model instanceof NPLMModel) return scoreNPLM(model, sequences, progress);
    if (model instanceof GPTModel) {
      const stride = strideFor(model, o.stride) as number;
      return sequences.map((s) => progress(scoreGPT(model, s, stride)));
    }
  }
  return sequences.map((s) => progress(scoreGeneric(model, s)));
}

/** Stepping a decoding state: start([]), then for each token its log-probability and push. */
function scoreGeneric(model: LanguageModel, seq: readonly number[]): Float64Array {
  const state = model.start([]);
  const out = new Float64Array(seq.length);
  for (let i = 0; i < seq.length; i++) {
    out[i] = state.logProbs()[seq[i]];
    if (i + 1 < seq.length) state.push(seq[i]);
  }
  return out;
}

/** The backoff model's score of each token after `<s>` (log10 p × ln 10), as `lmkit ngram eval` sums it. */
function scoreNGram(model: NGramModel, seq: readonly number[]): Float64Array {
  const backoff = model.backoff;
  const state = backoff.beginSentence();
  const out = new Float64Array(seq.length);
  for (let i = 0; i < seq.length; i++) {
    if (!(seq[i] >= 0 && seq[i] < backoff.vocab.size))
      throw new LmkitError(`token id ${seq[i]} is outside the vocabulary of ${backoff.vocab.size}`);
    out[i] = backoff.score(state, seq[i], state) * Math.LN10;
  }
  return out;
}

/** NPLM: every target's n−1 previous tokens (padded at the start) as rows of batched forward passes. */
function scoreNPLM(
  model: NPLMModel,
  sequences: readonly (readonly number[])[],
  progress: Progress,
): Float64Array[] {
  const n1 = model.contextLength;
  const V = model.config.vocab_size;
  const out = sequences.map((s) => new Float64Array(s.length));
  // (sequence, position) pairs, scored NPLM_BATCH at a time
  const pending: [number, number][] = [];
  const flush = () => {
    if (!pending.length) return;
    const B = pending.length;
    const ctx = new Int32Array(B * n1);
    pending.forEach(([s, i], b) => {
      const seq = sequences[s];
      for (let j = 0; j < n1; j++) {
        const k = i - n1 + j;
        ctx[b * n1 + j] = k >= 0 ? seq[k] : model.pad;
      }
    });
    // read the targets' entries inside tidy: copying (B, V) out costs more than the forward pass
    noGrad(() =>
      tidy(() => {
        const logp = logSoftmax(model.net.forward(new IntTensor(ctx, [B, n1]))).data; // (B, V)
        pending.forEach(([s, i], b) => {
          out[s][i] = logp[b * V + sequences[s][i]];
        });
      }),
    );
    progress(pending, B);
    pending.length = 0;
  };
  sequences.forEach((seq, s) => {
    for (let i = 0; i < seq.length; i++) {
      if (!(Number.isInteger(seq[i]) && seq[i] >= 0 && seq[i] < V))
        throw new LmkitError(`token id ${seq[i]} is outside the vocabulary of ${V}`);
      pending.push([s, i]);
      if (pending.length === NPLM_BATCH) flush();
    }
  });
  flush();
  return out;
}

/** GPT: sliding windows over start tokens + sequence (see the module comment), several per forward pass. */
function scoreGPT(model: GPTModel, seq: readonly number[], stride: number): Float64Array {
  const stream = [...model.prefix, ...seq];
  const first = model.prefix.length; // stream index of seq[0]
  const B = model.config.block_size;
  const V = model.config.vocab_size;
  for (const t of stream)
    if (!(Number.isInteger(t) && t >= 0 && t < V))
      throw new LmkitError(`token id ${t} is outside the vocabulary of ${V}`);
  // window stream[begin, end): inputs all but the last; it scores positions [from, end)
  const windows: { begin: number; end: number; from: number }[] = [];
  for (let begin = 0, next = first; next < stream.length; begin += stride) {
    const end = Math.min(begin + B + 1, stream.length);
    windows.push({ begin, end, from: Math.max(next, begin + 1) });
    next = end;
  }
  const out = new Float64Array(seq.length);
  for (let k = 0; k < windows.length;) {
    // a batch of consecutive windows of the same length T, about GPT_BATCH_FLOATS log-probabilities in all
    const T = windows[k].end - windows[k].begin - 1;
    const most = Math.max(1, Math.floor(GPT_BATCH_FLOATS / (T * V)));
    let n = 1;
    while (n < most && k + n < windows.length && windows[k + n].end - windows[k + n].begin - 1 === T) n++;
    const ids = new Int32Array(n * T);
    for (let r = 0; r < n; r++) ids.set(stream.slice(windows[k + r].begin, windows[k + r].begin + T), r * T);
    noGrad(() =>
      tidy(() => {
        // (n, T, V): row (r, c) predicts stream[begin_r + c + 1]
        const logp = logSoftmax(model.net.forward(new IntTensor(ids, [n, T]))).data;
        for (let r = 0; r < n; r++) {
          const w = windows[k + r];
          for (let j = w.from; j < w.end; j++)
            out[j - first] = logp[(r * T + j - w.begin - 1) * V + stream[j]];
        }
      }),
    );
    k += n;
  }
  return out;
}

/** A mixture: each component scored its own fastest way (ids mapped for the second), mixed per token. */
function scoreMixture(
  model: MixtureModel,
  sequences: readonly (readonly number[])[],
  o: ScoreOptions,
  progress: Progress,
): Float64Array[] {
  const inner = { ...o, onProgress: undefined, onComponents: undefined };
  const a = scoreSequences(model.first, sequences, inner);
  const b = scoreSequences(
    model.second,
    sequences.map((s) => s.map((t) => model.secondId(t))),
    inner,
  );
  o.onComponents?.(a, b);
  return a.map((sa, k) => {
    const mixed = new Float64Array(sa.length);
    for (let i = 0; i < sa.length; i++) mixed[i] = mixLogProbs(sa[i], b[k][i], model.weight);
    return progress(mixed);
  });
}

/** Counts `count` more scored tokens (default: the length of `scored`) and returns `scored`. */
type Progress = <T extends { length: number }>(scored: T, count?: number) => T;
