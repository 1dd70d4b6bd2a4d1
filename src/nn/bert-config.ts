/**
 * The sizes of a BERT in lmkit's (nanoGPT's) names — `n_layer`, `n_head`, `n_embd`, `block_size` as for a
 * GPT, the same in flags, config files and config.json — with the one place they are checked. config.json
 * also carries Hugging Face's `BertConfig` names for the same numbers (see models/bert.ts).
 */
import { LmkitError } from '../errors.js';
import { dropoutRate, wholeNumber } from './config-checks.js';

/** The hyper-parameters that fix a BERT's network. */
export interface BertConfig {
  n_layer: number;
  n_head: number;
  n_embd: number;
  /** The longest input (the position table's size; Hugging Face: max_position_embeddings). */
  block_size: number;
  vocab_size: number;
  /** Segment (token type) embeddings: 2 as BERT, sentence A and sentence B. */
  type_vocab_size: number;
  /** Dropout on embeddings, attention outputs and feed-forward outputs (BERT: 0.1). */
  dropout: number;
}

/** A BERT's sizes before its tokenizer is known. */
export type BertShape = Omit<BertConfig, 'vocab_size'>;

/** Checks a BERT's sizes; the error names the bad value. */
export function validateBertShape(c: Partial<BertShape>): BertShape {
  const out: BertShape = {
    n_layer: wholeNumber('n_layer', c.n_layer, 1),
    n_head: wholeNumber('n_head', c.n_head, 1),
    n_embd: wholeNumber('n_embd', c.n_embd, 1),
    block_size: wholeNumber('block_size', c.block_size, 3),
    type_vocab_size: wholeNumber('type_vocab_size', c.type_vocab_size ?? 2, 1),
    dropout: dropoutRate('dropout', c.dropout ?? 0),
  };
  if (out.n_embd % out.n_head !== 0)
    throw new LmkitError(`n_embd ${out.n_embd} is not divisible by n_head ${out.n_head}`, {
      hint: `choose n_embd as a multiple of n_head, e.g. ${out.n_head * Math.max(1, Math.round(out.n_embd / out.n_head))}`,
    });
  return out;
}

/** Checks a whole BERT config (sizes and vocabulary), returning a clean copy. */
export function validateBertConfig(c: Partial<BertConfig>): BertConfig {
  return { ...validateBertShape(c), vocab_size: wholeNumber('vocab_size', c.vocab_size, 1) };
}

/** The keys of a BERT's config, in the order config.json lists them. */
export const BERT_CONFIG_KEYS = [
  'n_layer',
  'n_head',
  'n_embd',
  'block_size',
  'vocab_size',
  'type_vocab_size',
  'dropout',
] as const;
