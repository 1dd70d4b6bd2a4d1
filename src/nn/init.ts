/** Parameter initializers, all drawing from a seeded Rng. */
import type { Rng } from '../util/rng.js';
import type { Tensor } from '../tensor/tensor.js';

/** Fills with Normal(0, std²). */
export function normalInit(t: Tensor, rng: Rng, std: number): Tensor {
  for (let i = 0; i < t.size; i++) t.data[i] = rng.normal() * std;
  return t;
}

/** Fills with Uniform(−bound, bound). */
export function uniformInit(t: Tensor, rng: Rng, bound: number): Tensor {
  for (let i = 0; i < t.size; i++) t.data[i] = (2 * rng.uniform() - 1) * bound;
  return t;
}

/** Fills with a constant. */
export function constantInit(t: Tensor, value: number): Tensor {
  t.data.fill(value);
  return t;
}
