/**
 * The sizes of a T5 in lmkit's (nanoGPT's) names — `n_layer` (per stack), `n_head`, `n_embd` (d_model),
 * `block_size` (the longest input and the longest target) — plus T5's own: `d_ff`, the relative position
 * buckets and the special token ids, with the one place they are checked. config.json also carries Hugging
 * Face's `T5Config` names for the same numbers (see models/t5.ts).
 */
import { LmkitError } from '../errors.js';
import { dropoutRate, wholeNumber } from './config-checks.js';

/** The hyper-parameters that fix a T5's network. */
export interface T5Config {
  /** Blocks in the encoder, and in the decoder (Hugging Face: num_layers, num_decoder_layers). */
  n_layer: number;
  n_head: number;
  /** d_model; each head is n_embd / n_head wide (d_kv). */
  n_embd: number;
  /** The feed-forward width (T5: 4·d_model). */
  d_ff: number;
  /** The longest input the encoder reads and the longest target the decoder writes, in tokens. */
  block_size: number;
  vocab_size: number;
  /** Dropout on embeddings, sublayer outputs and the feed-forward hidden layer (T5: 0.1). */
  dropout: number;
  /** Relative position buckets per attention direction (T5: 32). */
  relative_attention_num_buckets: number;
  /** Distances at or past this share the last bucket (T5: 128). */
  relative_attention_max_distance: number;
  /** Padding, and the decoder's start token (as T5). */
  pad_token_id: number;
  /** End of sequence: ends every input and every target. */
  eos_token_id: number;
}

/** A T5's sizes before its tokenizer is known. */
export type T5Shape = Omit<T5Config, 'vocab_size' | 'pad_token_id' | 'eos_token_id'>;

/** T5's own settings when none are given (T5's). */
export const T5_SHAPE_DEFAULTS = {
  relative_attention_num_buckets: 32,
  relative_attention_max_distance: 128,
} as const;

/** Checks a T5's sizes (d_ff defaults to 4·n_embd); the error names the bad value. */
export function validateT5Shape(c: Partial<T5Shape>): T5Shape {
  const n_embd = wholeNumber('n_embd', c.n_embd, 1);
  const out: T5Shape = {
    n_layer: wholeNumber('n_layer', c.n_layer, 1),
    n_head: wholeNumber('n_head', c.n_head, 1),
    n_embd,
    d_ff: wholeNumber('d_ff', c.d_ff ?? 4 * n_embd, 1),
    block_size: wholeNumber('block_size', c.block_size, 2),
    dropout: dropoutRate('dropout', c.dropout ?? 0),
    relative_attention_num_buckets: wholeNumber(
      'relative_attention_num_buckets',
      c.relative_attention_num_buckets ?? T5_SHAPE_DEFAULTS.relative_attention_num_buckets,
      4,
    ),
    relative_attention_max_distance: wholeNumber(
      'relative_attention_max_distance',
      c.relative_attention_max_distance ?? T5_SHAPE_DEFAULTS.relative_attention_max_distance,
      2,
    ),
  };
  if (out.n_embd % out.n_head !== 0)
    throw new LmkitError(`n_embd ${out.n_embd} is not divisible by n_head ${out.n_head}`, {
      hint: `choose n_embd as a multiple of n_head, e.g. ${out.n_head * Math.max(1, Math.round(out.n_embd / out.n_head))}`,
    });
  return out;
}

/** Checks a whole T5 config (sizes, vocabulary, special ids), returning a clean copy. */
export function validateT5Config(c: Partial<T5Config>): T5Config {
  const vocab_size = wholeNumber('vocab_size', c.vocab_size, 2);
  const id = (name: string, v: unknown) => {
    const n = wholeNumber(name, v, 0);
    if (n >= vocab_size) throw new LmkitError(`${name} ${n} is outside the vocabulary of ${vocab_size}`);
    return n;
  };
  return {
    ...validateT5Shape(c),
    vocab_size,
    pad_token_id: id('pad_token_id', c.pad_token_id),
    eos_token_id: id('eos_token_id', c.eos_token_id),
  };
}

/** The keys of a T5's config, in the order config.json lists them. */
export const T5_CONFIG_KEYS = [
  'n_layer',
  'n_head',
  'n_embd',
  'd_ff',
  'block_size',
  'vocab_size',
  'dropout',
  'relative_attention_num_buckets',
  'relative_attention_max_distance',
  'pad_token_id',
  'eos_token_id',
] as const;
