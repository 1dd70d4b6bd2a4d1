/** Softmax and log-softmax over the last axis. */
import { kernelsFor } from '../backend.js';
import { ShapeError } from '../errors.js';
import { Tensor, empty, live, record } from '../tensor.js';

function softmaxOp(x: Tensor, log: boolean): Tensor {
  live(x);
  const op = log ? 'logSoftmax' : 'softmax';
  if (x.ndim < 1) throw new ShapeError(`${op}: ${x.describe()} has no axis`);
  const cols = x.shape[x.ndim - 1];
  const rows = cols === 0 ? 0 : x.size / cols;
  const out = empty(x.shape, x.dtype);
  const k = kernelsFor(x.data);
  k.softmaxForward(x.data, out.data, rows, cols, log);
  record(op, [x], [out], () => {
    k.softmaxBackward(out.data, out.grad!, x.ensureGrad(), rows, cols, log);
  });
  return out;
}

/** exp(x) / Σ exp(x) along the last axis. */
export function softmax(x: Tensor): Tensor {
  return softmaxOp(x, false);
}

/** x − log Σ exp(x) along the last axis. */
export function logSoftmax(x: Tensor): Tensor {
  return softmaxOp(x, true);
}

/** log-softmax of one row of logits (no tape), accumulated in float64: a decoder's next-token log-probabilities. */
export function logSoftmaxRow(logits: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  const lse = max + Math.log(sum);
  const out = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i] - lse;
  return out;
}
