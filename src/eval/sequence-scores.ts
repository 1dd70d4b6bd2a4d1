/**
 * Log-probabilities of token sequences, each scored from the model's start: for a sequence t₀ … t_{k−1},
 * log p(tᵢ | start, t₀ … t_{i−1}) for every i. The generic way steps a `DecoderState` (`scoreByDecoding`
 * in lm.ts); a model with a faster way to the same numbers offers it as `scoreSequences` (an n-gram
 * model's own backoff scores, an NPLM's batched contexts, a GPT's sliding windows, a mixture's components),
 * and this uses it without asking which kind the model is.
 */
import { scoreAllByDecoding, scoreWith, type LanguageModel } from '../lm.js';
import { MixtureModel } from '../models/mixture.js';
import { checkTokenId } from '../tokenizers/tokenizer.js';

/** How to score. */
export interface ScoreOptions {
  /** A windowed model's stride in tokens (a GPT: 1 … block_size; default ⌈block_size / 2⌉). */
  stride?: number;
  /** Use only the generic `DecoderState` path (for checking the fast paths). */
  generic?: boolean;
  /** Called as tokens are scored (after each sequence, batch of contexts or windows) with the count so far. */
  onProgress?(tokens: number): void;
  /** For a mixture (fast path): receives each component's own scores before they are mixed. */
  onComponents?(first: Float64Array[], second: Float64Array[]): void;
}

/** The window stride `model` scores with (its default when not given), checked; null when it has no windows. */
export function strideFor(model: LanguageModel, stride?: number): number | null {
  return model.scoreStride?.(stride) ?? null;
}

/** Natural-log probabilities of every token of every sequence, each sequence scored from the model's start. */
export function scoreSequences(
  model: LanguageModel,
  sequences: readonly (readonly number[])[],
  o: ScoreOptions = {},
): Float64Array[] {
  if (o.generic) {
    for (const s of sequences) for (const t of s) checkTokenId(t, model.tokenizer.vocabSize);
    return scoreAllByDecoding(model, sequences, o);
  }
  if (model instanceof MixtureModel && o.onComponents) {
    const { mixed, first, second } = model.scoreComponents(sequences, o);
    o.onComponents(first, second);
    return mixed;
  }
  return scoreWith(model, sequences, o);
}
