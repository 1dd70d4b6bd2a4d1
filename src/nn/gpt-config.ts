/**
 * The sizes of a GPT in nanoGPT's `GPTConfig` names — the same names in the network, config.json, the
 * training config, config files and flags — with its defaults and the one place they are checked.
 */
import { LmkitError } from '../errors.js';
import { dropoutRate, flag, oneOf, wholeNumber } from './config-checks.js';

/** The hyper-parameters that fix a GPT's network. */
export interface GPTConfig {
  n_layer: number;
  n_head: number;
  n_embd: number;
  /** The longest context the network sees (also the size of the learned position table). */
  block_size: number;
  vocab_size: number;
  dropout: number;
  /** Biases in the linear layers and LayerNorms (GPT-2: true). */
  bias: boolean;
  /** Rotary position embeddings (RoFormer) instead of the learned position table wpe. */
  rope: boolean;
  /** The normalization of every block and the final one: layernorm (GPT-2) or rmsnorm. */
  norm: 'layernorm' | 'rmsnorm';
}

/** A GPT's sizes before its tokenizer is known. */
export type GPTShape = Omit<GPTConfig, 'vocab_size'>;

/** nanoGPT's laptop-CPU character model (shakespeare_char on a MacBook): lmkit's default GPT. */
export const GPT_DEFAULTS: GPTShape = {
  n_layer: 4,
  n_head: 4,
  n_embd: 128,
  block_size: 64,
  dropout: 0,
  bias: true,
  rope: false,
  norm: 'layernorm',
};

/** The keys of a GPT's config, in the order config.json lists them. */
export const GPT_CONFIG_KEYS = [
  'n_layer',
  'n_head',
  'n_embd',
  'block_size',
  'vocab_size',
  'dropout',
  'bias',
  'rope',
  'norm',
] as const;

/** Checks a GPT's sizes (absent rope/norm/bias/dropout take the defaults); the error names the bad value. */
export function validateGPTShape(c: Partial<GPTShape>): GPTShape {
  const out: GPTShape = {
    n_layer: wholeNumber('n_layer', c.n_layer, 1),
    n_head: wholeNumber('n_head', c.n_head, 1),
    n_embd: wholeNumber('n_embd', c.n_embd, 1),
    block_size: wholeNumber('block_size', c.block_size, 1),
    dropout: dropoutRate('dropout', c.dropout ?? GPT_DEFAULTS.dropout),
    bias: flag('bias', c.bias ?? GPT_DEFAULTS.bias),
    rope: flag('rope', c.rope ?? GPT_DEFAULTS.rope),
    norm: oneOf('norm', c.norm ?? GPT_DEFAULTS.norm, ['layernorm', 'rmsnorm'] as const),
  };
  if (out.n_embd % out.n_head !== 0)
    throw new LmkitError(`n_embd ${out.n_embd} is not divisible by n_head ${out.n_head}`, {
      hint: `choose n_embd as a multiple of n_head, e.g. ${out.n_head * Math.max(1, Math.round(out.n_embd / out.n_head))}`,
    });
  if (out.rope && (out.n_embd / out.n_head) % 2 !== 0)
    throw new LmkitError(
      `rotary embeddings need an even head size (n_embd / n_head = ${out.n_embd / out.n_head})`,
      { hint: 'choose n_embd and n_head so that n_embd / n_head is even' },
    );
  return out;
}

/** Checks a whole GPT config (sizes and vocabulary), returning a clean copy with defaults filled in. */
export function validateGPTConfig(c: Partial<GPTConfig>): GPTConfig {
  return { ...validateGPTShape(c), vocab_size: wholeNumber('vocab_size', c.vocab_size, 1) };
}
