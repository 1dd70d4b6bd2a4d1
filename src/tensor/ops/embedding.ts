/** Embedding lookup: rows of a (V,C) table gathered by token ids; backward scatter-adds into the table. */
import { kernelsFor } from '../backend.js';
import { ShapeError } from '../errors.js';
import { IntTensor, Tensor, empty, live, record } from '../tensor.js';

/** weight (V,C) gathered at ids (...) → (..., C). */
export function embedding(weight: Tensor, ids: IntTensor): Tensor {
  live(weight);
  if (weight.ndim !== 2) throw new ShapeError(`embedding: table ${weight.describe()} must be 2-D (V, C)`);
  const [V, C] = weight.shape;
  const N = ids.size;
  const out = empty([...ids.shape, C], weight.dtype);
  const k = kernelsFor(weight.data);
  k.embeddingForward(weight.data, ids.data, out.data, N, V, C);
  record('embedding', [weight], [out], () => {
    k.embeddingBackward(out.grad!, ids.data, weight.ensureGrad(), N, V, C);
  });
  return out;
}
