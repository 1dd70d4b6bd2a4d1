/**
 * The one interface every model kind implements (n-gram, NPLM, RNN, GPT, ...), so evaluation,
 * sampling, chat and serving are written once and never ask which kind of model they hold. A kind may
 * add the optional capabilities below (a faster scorer, its evaluation defaults); callers use them
 * through this interface, never through the kind's class.
 */
import type { Preprocessing } from './data/clean.js';
import type { Tokenizer } from './tokenizers/tokenizer.js';
import type { Rng } from './util/rng.js';

/** A decoding state: an n-gram context window, an RNN hidden state or a GPT KV cache. */
export interface DecoderState {
  /** Next-token log-probabilities (natural log) over the whole vocabulary; -Infinity for impossible tokens. */
  logProbs(): Float32Array;
  /** Advances the state by one token. */
  push(token: number): void;
  /**
   * Draws the next token itself from the distribution generate/sample.ts's `sampleToken` would draw from
   * `logProbs()` with these options, without computing the whole distribution (an n-gram's backoff
   * levels); -1 when no token is possible, undefined when it cannot for these options (the caller then
   * samples from `logProbs()`). `seen` counts the tokens generated so far (for the penalties).
   */
  sample?(o: DrawOptions, rng: Rng, seen?: ReadonlyMap<number, number>): number | undefined;
  /** A copy that decodes on independently (beam search's hypotheses); absent: callers replay the tokens on a fresh `start`. */
  fork?(): DecoderState;
}

/** The sampling settings a state's own sampler must honour (a subset of generate/sample.ts's SamplingOptions). */
export interface DrawOptions {
  temperature?: number;
  topK?: number;
  topP?: number;
  repetitionPenalty?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  suppressTokens?: readonly number[];
}

/**
 * Decoding states that step together (continuous batching): a state may join after `start` at any time and
 * leaves with `end`; the first `logProbs()` of a step computes every member waiting for one in one pass.
 */
export interface DecodeGroup {
  /** Starts decoding after `prompt`, as `LanguageModel.start` does, within the group. */
  start(prompt: number[]): DecoderState;
  /** Takes a state out of the group (its sequence finished or was cancelled). */
  end(state: DecoderState): void;
}

/** How a fast scorer scores (see {@link LanguageModel.scoreSequences}). */
export interface ScoreOptions {
  /** A windowed model's stride in tokens (see {@link LanguageModel.scoreStride}). */
  stride?: number;
  /** Called now and then with the number of tokens scored so far. */
  onProgress?(tokens: number): void;
}

/** A language model of any kind. */
export interface LanguageModel {
  /** "ngram" | "nplm" | "rnn" | "gpt" | ... */
  readonly kind: string;
  /** Text <-> token ids, with the special tokens the model uses. */
  readonly tokenizer: Tokenizer;
  /** How many tokens of context the model can see: N-1 for an n-gram, Infinity for an RNN. */
  readonly contextLength: number;
  /** Starts decoding after `prompt` (token ids; a model adds its own beginning-of-sequence token). */
  start(prompt: number[]): DecoderState;

  /** How text given to the model is prepared, as its training text was (absent: used as given). */
  readonly preprocessing?: Preprocessing;
  /** The evaluation mode when none is asked for: `sentences` for a short fixed context (absent: `stream`). */
  readonly evalMode?: 'sentences' | 'stream';
  /**
   * A faster way to exactly the numbers that stepping a `DecoderState` gives: ln p of every token of
   * every sequence, each sequence scored from the model's start.
   */
  scoreSequences?(sequences: readonly (readonly number[])[], o?: ScoreOptions): Float64Array[];
  /**
   * A group whose states are decoded together, each step in one batched pass (a GPT); absent when the kind
   * decodes one state at a time.
   */
  decodeGroup?(): DecodeGroup;
  /** A text embedding of token ids (for /v1/embeddings): a GPT's mean last hidden state; absent when the kind has none. */
  embed?(ids: readonly number[]): Float32Array;
  /**
   * The same sequences scored by each of the model's readings, named (a biLM's `forward` and `backward`
   * language models); `lmkit eval` reports each one's perplexity. Absent: the model has one reading.
   */
  scoreReadings?(
    sequences: readonly (readonly number[])[],
    o?: ScoreOptions,
  ): { name: string; scores: Float64Array[] }[];
  /** Per-token contextual layers of token ids (ELMo's): arrays (N, D) row-major, one width D; absent when the kind has none. */
  contextualLayers?(ids: readonly number[]): Float32Array[];
  /** The stride a windowed scorer uses for `stride` (its default when undefined), checked; null when it has none. */
  scoreStride?(stride?: number): number | null;
  /**
   * What `scoreSequences` gives: `causal` (absent), ln p(token | the tokens before it); `pseudo`, a masked
   * LM's pseudo-log-likelihood ln p(token | every other token in its window), the token masked in turn
   * (Salazar et al., 2020), whose exp(−mean) is a pseudo-perplexity. A `pseudo` model cannot decode
   * left to right: its `start` throws, saying what to use instead. `infilling`, an encoder–decoder's
   * ln p(token | every other token in its window), the token hidden behind a sentinel in turn and written
   * by the decoder (T5's span corruption, one token long): a pseudo-perplexity too, and the model decodes.
   */
  readonly scoring?: 'causal' | 'pseudo' | 'infilling';
  /**
   * What the generated text is: `continuation` (absent), the text after the prompt; `answer`, text of its
   * own that the prompt asks for (an encoder–decoder reads the prompt and writes from nothing), so callers
   * show it without the prompt before it and decode it with no prompt context.
   */
  readonly generates?: 'continuation' | 'answer';
  /** A masked LM's predictions for each `[MASK]` of a text, best first (Hugging Face's fill-mask); absent for other kinds. */
  fillMask?(text: string, top: number): FillMaskPrediction[][];
}

/** One prediction for one mask, in Hugging Face's fill-mask pipeline shape. */
export interface FillMaskPrediction {
  /** The probability of the token at that mask. */
  score: number;
  /** Its id. */
  token: number;
  /** Its text. */
  token_str: string;
  /** The text with this mask filled by it (other masks left as they are). */
  sequence: string;
}

/**
 * The generic way to score a sequence with any model, which fast scorers must match: start([]), then
 * for each token its log-probability and push; `scored` hears of every 1,024 tokens done (and the rest).
 */
export function scoreByDecoding(
  model: LanguageModel,
  seq: readonly number[],
  scored?: (tokens: number) => void,
): Float64Array {
  const state = model.start([]);
  const out = new Float64Array(seq.length);
  for (let i = 0; i < seq.length; i++) {
    out[i] = state.logProbs()[seq[i]];
    if (i + 1 < seq.length) state.push(seq[i]);
    if (scored && (i + 1) % 1024 === 0) scored(1024);
  }
  if (seq.length % 1024) scored?.(seq.length % 1024);
  return out;
}

/** ln p of every token of every sequence: the model's fast scorer when it has one, else {@link scoreAllByDecoding}. */
export function scoreWith(
  model: LanguageModel,
  sequences: readonly (readonly number[])[],
  o: ScoreOptions = {},
): Float64Array[] {
  return model.scoreSequences ? model.scoreSequences(sequences, o) : scoreAllByDecoding(model, sequences, o);
}

/** {@link scoreByDecoding} of every sequence, reporting progress after each. */
export function scoreAllByDecoding(
  model: LanguageModel,
  sequences: readonly (readonly number[])[],
  o: ScoreOptions = {},
): Float64Array[] {
  let done = 0;
  return sequences.map((s) =>
    scoreByDecoding(model, s, (n) => {
      done += n;
      o.onProgress?.(done);
    }),
  );
}
