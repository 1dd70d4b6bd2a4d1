/**
 * GRU and LSTM layers over sequences (batch first, PyTorch's parameter names and gate order):
 * the input projection for all steps is one matmul, then each step is a hidden matmul and a fused cell.
 * An optional recurrent dropout mask (Gal & Ghahramani 2016, Keras's `recurrent_dropout`) multiplies the
 * previous hidden state where it enters the hidden matmul, the same mask at every step of a sequence.
 */
import { add, mul } from '../tensor/ops/elementwise.js';
import { matmul } from '../tensor/ops/matmul.js';
import { gruCell, lstmCell } from '../tensor/ops/recurrent.js';
import { concat, permute, reshape, split } from '../tensor/ops/shape.js';
import { ShapeError } from '../tensor/errors.js';
import type { Rng } from '../util/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/create.js';
import { uniformInit } from './init.js';
import { Module } from './module.js';

abstract class Recurrent extends Module {
  readonly weight_ih: Tensor;
  readonly weight_hh: Tensor;
  readonly bias_ih: Tensor;
  readonly bias_hh: Tensor;

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    gates: number,
    rng: Rng,
  ) {
    super();
    const k = 1 / Math.sqrt(hiddenSize);
    this.weight_ih = this.param('weight_ih', uniformInit(zeros([gates * hiddenSize, inputSize]), rng, k));
    this.weight_hh = this.param('weight_hh', uniformInit(zeros([gates * hiddenSize, hiddenSize]), rng, k));
    this.bias_ih = this.param('bias_ih', uniformInit(zeros([gates * hiddenSize]), rng, k), 'bias');
    this.bias_hh = this.param('bias_hh', uniformInit(zeros([gates * hiddenSize]), rng, k), 'bias');
  }

  /** x (B,T,I) → per-step input projections, each (B, gates·H). */
  protected inputSteps(x: Tensor): Tensor[] {
    if (x.ndim !== 3 || x.shape[2] !== this.inputSize)
      throw new ShapeError(
        `${this.constructor.name}: input ${x.describe()} must be (B, T, ${this.inputSize})`,
      );
    const [B, T] = x.shape;
    const gi = add(matmul(x, this.weight_ih, { transB: true }), this.bias_ih); // (B,T,G)
    const G = gi.shape[2];
    return split(permute(gi, [1, 0, 2]), new Array(T).fill(1), 0).map((s) => reshape(s, [B, G]));
  }

  /** h (B,H), optional mask (B,H) → (h ⊙ mask) W_hhᵀ + b_hh (B, gates·H). */
  protected hidden(h: Tensor, mask?: Tensor): Tensor {
    return add(matmul(mask ? mul(h, mask) : h, this.weight_hh, { transB: true }), this.bias_hh);
  }

  protected stack(hs: Tensor[]): Tensor {
    const [B, H] = hs[0].shape;
    return concat(
      hs.map((h) => reshape(h, [B, 1, H])),
      1,
    );
  }
}

/** A single-layer GRU. */
export class GRU extends Recurrent {
  /** A GRU from inputSize features to hiddenSize. */
  constructor(inputSize: number, hiddenSize: number, rng: Rng) {
    super(inputSize, hiddenSize, 3, rng);
  }

  /**
   * x (B,T,I), h0 (B,H) or zeros, optional recurrent dropout mask (B,H) → outputs (B,T,H) and the last
   * hidden state (B,H). The mask applies to h in the hidden matmul only, not to the update z·h.
   */
  forward(x: Tensor, h0?: Tensor, recurrentMask?: Tensor): { output: Tensor; h: Tensor } {
    const steps = this.inputSteps(x);
    let h = h0 ?? zeros([x.shape[0], this.hiddenSize]);
    const hs: Tensor[] = [];
    for (const gi of steps) {
      h = gruCell(gi, this.hidden(h, recurrentMask), h);
      hs.push(h);
    }
    return { output: this.stack(hs), h };
  }
}

/** A single-layer LSTM. */
export class LSTM extends Recurrent {
  /** An LSTM from inputSize features to hiddenSize. */
  constructor(inputSize: number, hiddenSize: number, rng: Rng) {
    super(inputSize, hiddenSize, 4, rng);
  }

  /** x (B,T,I), optional (h0, c0) (B,H) and recurrent dropout mask (B,H) → outputs (B,T,H) and the last (h, c). */
  forward(
    x: Tensor,
    state?: { h: Tensor; c: Tensor },
    recurrentMask?: Tensor,
  ): { output: Tensor; h: Tensor; c: Tensor } {
    const steps = this.inputSteps(x);
    const B = x.shape[0];
    let h = state?.h ?? zeros([B, this.hiddenSize]);
    let c = state?.c ?? zeros([B, this.hiddenSize]);
    const hs: Tensor[] = [];
    for (const gi of steps) {
      const s = lstmCell(add(gi, this.hidden(h, recurrentMask)), c);
      h = s.h;
      c = s.c;
      hs.push(h);
    }
    return { output: this.stack(hs), h, c };
  }
}
