/**
 * The one interface every model kind implements (n-gram, NPLM, RNN, GPT, ...), so evaluation,
 * sampling, chat and serving are written once and never ask which kind of model they hold.
 */
import type { Tokenizer } from './tokenizers/tokenizer.js';

/** A decoding state: an n-gram context window, an RNN hidden state or a GPT KV cache. */
export interface DecoderState {
  /** Next-token log-probabilities (natural log) over the whole vocabulary; -Infinity for impossible tokens. */
  logProbs(): Float32Array;
  /** Advances the state by one token. */
  push(token: number): void;
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
}
