/**
 * ELMo's scalar mix (Peters et al. 2018, eq. 1): a task's vector for a token is γ Σⱼ sⱼ hⱼ, where hⱼ are the
 * biLM's layers, s = softmax(w) their weights and γ a scale. Learned with the task (w starts at 0, equal
 * weights, and γ at 1); {@link equalMix} is the mix with no task: the mean of the layers.
 */
import { ShapeError } from '../tensor/errors.js';
import { add, mul } from '../tensor/ops/elementwise.js';
import { slice } from '../tensor/ops/shape.js';
import { softmax } from '../tensor/ops/softmax.js';
import { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/create.js';
import { Module } from './module.js';

/** Learned softmax-normalised layer weights (`scalar_parameters`, AllenNLP's name) and scale `gamma`. */
export class ScalarMix extends Module {
  readonly scalar_parameters: Tensor;
  readonly gamma: Tensor;

  /** A mix of `count` layers with equal weights and γ = 1. */
  constructor(readonly count: number) {
    super();
    this.scalar_parameters = this.param('scalar_parameters', zeros([count]), 'norm');
    this.gamma = this.param('gamma', new Tensor(Float32Array.of(1), [1]), 'norm');
  }

  /** Layers, each (..., C) of one shape → γ Σⱼ softmax(w)ⱼ hⱼ (..., C). */
  forward(layers: readonly Tensor[]): Tensor {
    if (layers.length !== this.count)
      throw new ShapeError(`scalar mix: ${layers.length} layers given, it mixes ${this.count}`);
    const s = softmax(this.scalar_parameters); // (J)
    let out: Tensor | null = null;
    layers.forEach((h, j) => {
      const term = mul(h, slice(s, 0, j, j + 1)); // (..., C) ⊙ (1)
      out = out ? add(out, term) : term;
    });
    return mul(out as unknown as Tensor, this.gamma);
  }

  /** The layer weights softmax(w), as numbers. */
  weights(): number[] {
    const w = Array.from(this.scalar_parameters.data);
    const m = Math.max(...w);
    const e = w.map((v) => Math.exp(v - m));
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / z);
  }
}

/** The mix with no task: the mean of the layers (equal weights, γ = 1), layers each of `size` floats. */
export function equalMix(layers: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(layers[0].length);
  for (const h of layers) for (let i = 0; i < out.length; i++) out[i] += h[i] / layers.length;
  return out;
}
