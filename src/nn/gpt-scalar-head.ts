/**
 * A GPT trunk with a scalar head: Hugging Face's GPT2ForSequenceClassification with one label, the
 * network of InstructGPT's reward model and of PPO's value model. The trunk is registered as
 * `transformer` and the head as `score` (a bias-free Linear C → 1), so the parameters carry Hugging
 * Face's names (`transformer.h.0.attn.c_attn.weight`, `score.weight`). A reward model reads the head at
 * each sequence's last token; a value model at every response position.
 */
import { matmul } from '../tensor/ops/matmul.js';
import { gatherRows } from '../tensor/ops/gather.js';
import { reshape } from '../tensor/ops/shape.js';
import { IntTensor, Tensor } from '../tensor/tensor.js';
import { Rng } from '../util/rng.js';
import { GPT } from './gpt.js';
import { Linear } from './layers.js';
import { Module } from './module.js';

/** A GPT whose output is one number per chosen position. */
export class GPTWithScalarHead extends Module {
  readonly transformer: GPT;
  readonly score: Linear;

  /** Wraps `trunk` (its weights are shared, not copied); the head is drawn from N(0, 0.02) with `seed`. */
  constructor(trunk: GPT, seed = 0) {
    super();
    this.transformer = this.module('transformer', trunk);
    this.score = this.module(
      'score',
      new Linear(trunk.config.n_embd, 1, new Rng(seed), { bias: false, std: 0.02 }),
    );
  }

  /** Token ids (B,T) → the head's value (M) at `rows`, flat positions b·T + t. */
  forward(idx: IntTensor, rows: Int32Array): Tensor {
    const [B, T] = idx.shape;
    const C = this.transformer.config.n_embd;
    const h = reshape(this.transformer.hidden(idx), [B * T, C]); // (B·T, C)
    const picked = gatherRows(h, rows); // (M, C)
    return reshape(matmul(picked, this.score.weight, { transB: true }), [rows.length]); // (M)
  }

  /** The dropout generator of the trunk (saved so a resume is exact). */
  get dropoutRng(): Rng {
    return this.transformer.dropoutRng;
  }
}
