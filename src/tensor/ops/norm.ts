/** LayerNorm and RMSNorm over the last axis, with optional affine weight (and bias for layernorm). */
import { kernelsFor } from '../backend.js';
import { ShapeError } from '../errors.js';
import { Tensor, empty, live, record } from '../tensor.js';

function check(op: string, x: Tensor, p: Tensor | null, what: string): void {
  const C = x.shape[x.ndim - 1];
  if (p && (p.size !== C || p.dtype !== x.dtype))
    throw new ShapeError(
      `${op}: ${what} ${p.describe()} does not match the last axis of ${x.describe()} (${C})`,
    );
}

/** x (...,C) normalized to zero mean, unit variance per row, then · weight + bias (both (C) or null). */
export function layerNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps = 1e-5): Tensor {
  live(x);
  if (x.ndim < 1) throw new ShapeError(`layerNorm: ${x.describe()} has no axis to normalize`);
  check('layerNorm', x, weight, 'weight');
  check('layerNorm', x, bias, 'bias');
  const C = x.shape[x.ndim - 1];
  const N = C === 0 ? 0 : x.size / C;
  const out = empty(x.shape, x.dtype);
  const mean = empty([N], x.dtype);
  const rstd = empty([N], x.dtype);
  const k = kernelsFor(x.data);
  // out (N,C), mean (N), rstd (N)
  k.layernormForward(
    x.data,
    weight?.data ?? null,
    bias?.data ?? null,
    out.data,
    mean.data,
    rstd.data,
    N,
    C,
    eps,
  );
  const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null);
  record('layerNorm', inputs, [out], () => {
    k.layernormBackward(
      out.grad!,
      x.data,
      weight?.data ?? null,
      mean.data,
      rstd.data,
      x.requiresGrad ? x.ensureGrad() : null,
      weight?.requiresGrad ? weight.ensureGrad() : null,
      bias?.requiresGrad ? bias.ensureGrad() : null,
      N,
      C,
    );
  });
  return out;
}

/** x (...,C) divided by its root mean square per row, then · weight ((C) or null). */
export function rmsNorm(x: Tensor, weight: Tensor | null, eps = 1e-5): Tensor {
  live(x);
  if (x.ndim < 1) throw new ShapeError(`rmsNorm: ${x.describe()} has no axis to normalize`);
  check('rmsNorm', x, weight, 'weight');
  const C = x.shape[x.ndim - 1];
  const N = C === 0 ? 0 : x.size / C;
  const out = empty(x.shape, x.dtype);
  const rstd = empty([N], x.dtype);
  const k = kernelsFor(x.data);
  k.rmsnormForward(x.data, weight?.data ?? null, out.data, rstd.data, N, C, eps);
  const inputs = [x, weight].filter((t): t is Tensor => t !== null);
  record('rmsNorm', inputs, [out], () => {
    k.rmsnormBackward(
      out.grad!,
      x.data,
      weight?.data ?? null,
      rstd.data,
      x.requiresGrad ? x.ensureGrad() : null,
      weight?.requiresGrad ? weight.ensureGrad() : null,
      N,
      C,
    );
  });
  return out;
}
