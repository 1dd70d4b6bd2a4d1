/** Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1−p). */
import { ShapeError } from '../errors.js';
import type { Rng } from '../../util/rng.js';
import { Tensor, empty, live, record } from '../tensor.js';

/** Dropout with a seeded generator; returns x itself when p is 0 or not training. */
export function dropout(x: Tensor, p: number, rng: Rng, training = true): Tensor {
  live(x);
  if (!(p >= 0 && p < 1)) throw new ShapeError(`dropout: probability must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const keep = 1 / (1 - p);
  const mask = empty(x.shape, x.dtype);
  const out = empty(x.shape, x.dtype);
  const m = mask.data;
  for (let i = 0; i < m.length; i++) m[i] = rng.uniform() < p ? 0 : keep;
  for (let i = 0; i < m.length; i++) out.data[i] = x.data[i] * m[i];
  record('dropout', [x], [out], () => {
    const g = out.grad!;
    const gx = x.ensureGrad();
    for (let i = 0; i < gx.length; i++) gx[i] += g[i] * m[i];
  });
  return out;
}
