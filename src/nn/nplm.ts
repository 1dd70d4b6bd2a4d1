/**
 * The network of Bengio et al. (2003)'s neural probabilistic language model. The n−1 previous tokens are
 * looked up in one shared embedding table C (m dims each) and concatenated into x ((n−1)·m);
 * logits = b + U tanh(d + H x) + W x, where W (the direct connections) is optional.
 */
import { LmkitError } from '../errors.js';
import { crossEntropy } from '../tensor/ops/cross-entropy.js';
import { add } from '../tensor/ops/elementwise.js';
import { reshape } from '../tensor/ops/shape.js';
import { tanh } from '../tensor/ops/unary.js';
import { Rng } from '../util/rng.js';
import { IntTensor, type Tensor } from '../tensor/tensor.js';
import { flag, wholeNumber } from './config-checks.js';
import { Embedding, Linear } from './layers.js';
import { Module } from './module.js';

/** The sizes of an NPLM, in the paper's terms: order n, embedding m, hidden h. */
export interface NPLMConfig {
  /** n: the model sees n−1 previous tokens. */
  order: number;
  /** m: dimensions of each token's embedding. */
  n_embd: number;
  /** h: tanh hidden units (0: none, logits = b + W x, which needs direct). */
  n_hidden: number;
  /** Direct connections W from the concatenated embeddings to the output. */
  direct: boolean;
  vocab_size: number;
}

/** An NPLM's sizes before its tokenizer is known. */
export type NPLMShape = Omit<NPLMConfig, 'vocab_size'>;

/** Bengio et al. (2003)'s n = 5 and h = 100, without direct connections (n_embd has no default of its own). */
export const NPLM_DEFAULTS = { order: 5, n_hidden: 100, direct: false } as const;

/** Checks an NPLM's sizes (direct defaults to off), throwing an error that names the bad value. */
export function validateNPLMShape(c: Partial<NPLMShape>): NPLMShape {
  const out: NPLMShape = {
    order: wholeNumber('order', c.order, 2),
    n_embd: wholeNumber('n_embd', c.n_embd, 1),
    n_hidden: wholeNumber('n_hidden', c.n_hidden, 0),
    direct: flag('direct', c.direct ?? false),
  };
  if (out.n_hidden === 0 && !out.direct)
    throw new LmkitError('n_hidden is 0 and direct is off, so nothing reaches the output', {
      hint: 'give n_hidden ≥ 1 or turn on direct connections (--direct)',
    });
  return out;
}

/** Checks a whole NPLM config (sizes and vocabulary), returning a clean copy. */
export function validateNPLMConfig(c: Partial<NPLMConfig>): NPLMConfig {
  return { ...validateNPLMShape(c), vocab_size: wholeNumber('vocab_size', c.vocab_size, 1) };
}

/** The network: C, then H and d (hidden), U and b (output), W (direct, optional). */
export class NPLMNet extends Module {
  readonly C: Embedding;
  readonly hidden: Linear | null;
  readonly output: Linear | null;
  readonly direct: Linear | null;
  /** n−1: the context width. */
  readonly width: number;

  readonly config: NPLMConfig;

  /** A freshly initialized network (seeded); the config is checked here. */
  constructor(config: Partial<NPLMConfig>, seed = 0) {
    super();
    const c = (this.config = validateNPLMConfig(config));
    const rng = new Rng(seed);
    this.width = c.order - 1;
    const inFeatures = this.width * c.n_embd;
    this.C = this.module('C', new Embedding(c.vocab_size, c.n_embd, rng));
    this.hidden = c.n_hidden > 0 ? this.module('hidden', new Linear(inFeatures, c.n_hidden, rng)) : null;
    this.output = c.n_hidden > 0 ? this.module('output', new Linear(c.n_hidden, c.vocab_size, rng)) : null;
    this.direct = c.direct
      ? this.module('direct', new Linear(inFeatures, c.vocab_size, rng, { bias: !this.output }))
      : null;
  }

  /** Contexts (B, n−1) of token ids → logits (B, V). */
  forward(idx: IntTensor): Tensor {
    if (idx.shape.length !== 2 || idx.shape[1] !== this.width)
      throw new LmkitError(`NPLM: input ids ${idx.describe()} must be (B, ${this.width})`);
    const B = idx.shape[0];
    const x = reshape(this.C.forward(idx), [B, this.width * this.config.n_embd]);
    let logits: Tensor | null = null;
    if (this.hidden && this.output) logits = this.output.forward(tanh(this.hidden.forward(x)));
    if (this.direct) {
      const w = this.direct.forward(x);
      logits = logits ? add(logits, w) : w;
    }
    return logits as Tensor;
  }

  /**
   * Mean cross-entropy over windows: ids (B, n−1) and their shifted targets (B, n−1), as the training
   * batches give them; only the last target of each window (the token after the whole context) counts.
   */
  loss(idx: IntTensor, targets: IntTensor): Tensor {
    const [B, T] = targets.shape;
    if (T !== this.width)
      throw new LmkitError(`NPLM: targets ${targets.describe()} must be (B, ${this.width})`);
    const last = new Int32Array(B);
    for (let b = 0; b < B; b++) last[b] = targets.data[b * T + T - 1];
    return crossEntropy(this.forward(idx), new IntTensor(last, [B]));
  }
}
