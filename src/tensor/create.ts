/** Constructors for leaf tensors (inputs and parameters). */
import type { Rng } from '../util/rng.js';
import { Tensor, numel, type DType } from './tensor.js';

function alloc(n: number, dtype: DType) {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

/** A tensor holding a copy of the values with the given shape (default: 1-D). */
export function tensor(
  values: ArrayLike<number>,
  shape: readonly number[] = [values.length],
  dtype: DType = 'float32',
): Tensor {
  const d = alloc(values.length, dtype);
  d.set(values);
  return new Tensor(d, shape);
}

/** Alias of tensor() that reads better for typed arrays. */
export const fromArray = tensor;

/** A zero tensor. */
export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return new Tensor(alloc(numel(shape), dtype), shape);
}

/** A tensor of ones. */
export function ones(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return new Tensor(alloc(numel(shape), dtype).fill(1), shape);
}

/** Normal(0, std²) samples from a seeded generator. */
export function randn(shape: readonly number[], rng: Rng, std = 1, dtype: DType = 'float32'): Tensor {
  const d = alloc(numel(shape), dtype);
  for (let i = 0; i < d.length; i++) d[i] = rng.normal() * std;
  return new Tensor(d, shape);
}
