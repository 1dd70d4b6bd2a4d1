/** Selection along the last axis for sampling: argmax and top-k (no gradient). */
import { ShapeError } from '../errors.js';
import { IntTensor, Tensor, live } from '../tensor.js';

/** Index of the largest value in each row of x (...,V) → int (...); the first one on ties. */
export function argmax(x: Tensor): IntTensor {
  live(x);
  if (x.ndim < 1) throw new ShapeError(`argmax: ${x.describe()} has no axis`);
  const V = x.shape[x.ndim - 1];
  if (V === 0) throw new ShapeError(`argmax: ${x.describe()} has an empty last axis`);
  const rows = x.size / V;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let j = 1; j < V; j++) if (x.data[r * V + j] > x.data[r * V + best]) best = j;
    out[r] = best;
  }
  return new IntTensor(out, x.shape.slice(0, -1));
}

/** The k largest values of each row of x (...,V), in descending order, with their indices (...,k). */
export function topk(x: Tensor, k: number): { values: Tensor; indices: IntTensor } {
  live(x);
  const V = x.shape[x.ndim - 1];
  if (x.ndim < 1 || !Number.isInteger(k) || k < 1 || k > V)
    throw new ShapeError(`topk: k = ${k} must be between 1 and the last axis of ${x.describe()}`);
  const rows = x.size / V;
  const values = new Float32Array(rows * k);
  const indices = new Int32Array(rows * k);
  const order = Array.from({ length: V }, (_, j) => j);
  for (let r = 0; r < rows; r++) {
    const o = r * V;
    order.sort((a, b) => x.data[o + b] - x.data[o + a] || a - b);
    for (let j = 0; j < k; j++) {
      indices[r * k + j] = order[j];
      values[r * k + j] = x.data[o + order[j]];
    }
    for (let j = 0; j < V; j++) order[j] = j;
  }
  const shape = [...x.shape.slice(0, -1), k];
  return { values: new Tensor(values, shape), indices: new IntTensor(indices, shape) };
}
