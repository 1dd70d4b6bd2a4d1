/**
 * Basic layers: Linear (weight stored (out, in) as PyTorch), Embedding, LayerNorm, RMSNorm, Dropout.
 * Default initializations follow PyTorch: Linear U(±1/√in), Embedding N(0, 1), norms weight 1 bias 0.
 */
import { add } from '../tensor/ops/elementwise.js';
import { dropout } from '../tensor/ops/dropout.js';
import { embedding } from '../tensor/ops/embedding.js';
import { matmul } from '../tensor/ops/matmul.js';
import { layerNorm, rmsNorm } from '../tensor/ops/norm.js';
import type { Rng } from '../util/rng.js';
import { IntTensor, Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/create.js';
import { constantInit, normalInit, uniformInit } from './init.js';
import { Module } from './module.js';

/** y = x Wᵀ + b over the last axis; W is (out, in). */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  /** A linear map from `inFeatures` to `outFeatures`, with bias unless `bias` is false. */
  constructor(
    inFeatures: number,
    outFeatures: number,
    rng: Rng,
    opts: { bias?: boolean; std?: number } = {},
  ) {
    super();
    const w = zeros([outFeatures, inFeatures]);
    if (opts.std !== undefined) normalInit(w, rng, opts.std);
    else uniformInit(w, rng, 1 / Math.sqrt(inFeatures));
    this.weight = this.param('weight', w);
    this.bias = opts.bias === false ? null : this.param('bias', zeros([outFeatures]), 'bias');
  }

  /** x (..., in) → (..., out). */
  forward(x: Tensor): Tensor {
    const y = matmul(x, this.weight, { transB: true });
    return this.bias ? add(y, this.bias) : y;
  }
}

/** A (V, C) lookup table of token vectors. */
export class Embedding extends Module {
  readonly weight: Tensor;

  /** A table of `count` vectors of size `dim`, N(0, std²) (std 1 by default). */
  constructor(count: number, dim: number, rng: Rng, std = 1) {
    super();
    this.weight = this.param('weight', normalInit(zeros([count, dim]), rng, std), 'embedding');
  }

  /** ids (...) → (..., C). */
  forward(ids: IntTensor): Tensor {
    return embedding(this.weight, ids);
  }
}

/** Layer normalization over the last axis with learned scale and (optionally) shift. */
export class LayerNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  /** A layernorm over `dim` features. */
  constructor(
    dim: number,
    readonly eps = 1e-5,
    bias = true,
  ) {
    super();
    this.weight = this.param('weight', constantInit(zeros([dim]), 1), 'norm');
    this.bias = bias ? this.param('bias', zeros([dim]), 'norm') : null;
  }

  /** x (..., C) → (..., C). */
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}

/** RMS normalization over the last axis with a learned scale. */
export class RMSNorm extends Module {
  readonly weight: Tensor;

  /** An RMSNorm over `dim` features. */
  constructor(
    dim: number,
    readonly eps = 1e-5,
  ) {
    super();
    this.weight = this.param('weight', constantInit(zeros([dim]), 1), 'norm');
  }

  /** x (..., C) → (..., C). */
  forward(x: Tensor): Tensor {
    return rmsNorm(x, this.weight, this.eps);
  }
}

/** Dropout active in training mode only. */
export class Dropout extends Module {
  /** Dropout with probability p drawing from rng. */
  constructor(
    readonly p: number,
    private readonly rng: Rng,
  ) {
    super();
  }

  /** x → x with elements zeroed (training) or x itself (eval). */
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.rng, this.training);
  }
}
