/** Sum and mean over chosen axes (all axes by default), optionally keeping them as size-1 axes. */
import { ShapeError, fmt } from '../errors.js';
import { Tensor, empty, live, record } from '../tensor.js';

/** Options of sum/mean: the axes to reduce (negative counts from the end) and whether to keep them. */
export interface ReduceOptions {
  axes?: number[];
  keepDims?: boolean;
}

function reduce(op: 'sum' | 'mean', x: Tensor, opts: ReduceOptions): Tensor {
  live(x);
  const nd = x.ndim;
  const axes = (opts.axes ?? x.shape.map((_, i) => i)).map((a) => (a < 0 ? a + nd : a));
  for (const a of axes)
    if (!Number.isInteger(a) || a < 0 || a >= nd)
      throw new ShapeError(`${op}: axis out of range for ${x.describe()}`);
  const reduced = new Set(axes);
  const kept = x.shape.map((d, i) => (reduced.has(i) ? 1 : d));
  const shape = opts.keepDims ? kept : x.shape.filter((_, i) => !reduced.has(i));
  const out = empty(shape, x.dtype);
  let count = 1;
  for (const a of reduced) count *= x.shape[a];
  const f = op === 'mean' ? 1 / count : 1;
  // map[i]: the output position input element i reduces into
  const map = outIndex(x.shape, kept);
  const z = out.data;
  z.fill(0);
  const acc = new Float64Array(out.size);
  for (let i = 0; i < x.size; i++) acc[map[i]] += x.data[i];
  for (let o = 0; o < z.length; o++) z[o] = acc[o] * f;
  record(op, [x], [out], () => {
    const g = out.grad!;
    const gx = x.ensureGrad();
    for (let i = 0; i < gx.length; i++) gx[i] += g[map[i]] * f;
  });
  return out;
}

function outIndex(shape: readonly number[], kept: number[]): Int32Array {
  const n = shape.reduce((p, d) => p * d, 1);
  const map = new Int32Array(n);
  const strides = new Array(shape.length).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = kept[i] === 1 ? 0 : s;
    s *= kept[i];
  }
  if (fmt(kept) === fmt(shape)) {
    for (let i = 0; i < n; i++) map[i] = i;
    return map;
  }
  const idx = new Array(shape.length).fill(0);
  let cur = 0;
  for (let i = 0; i < n; i++) {
    map[i] = cur;
    for (let ax = shape.length - 1; ax >= 0; ax--) {
      idx[ax]++;
      cur += strides[ax];
      if (idx[ax] < shape[ax]) break;
      cur -= strides[ax] * shape[ax];
      idx[ax] = 0;
    }
  }
  return map;
}

/** Sum over the given axes (all by default). */
export function sum(x: Tensor, opts: ReduceOptions = {}): Tensor {
  return reduce('sum', x, opts);
}

/** Mean over the given axes (all by default). */
export function mean(x: Tensor, opts: ReduceOptions = {}): Tensor {
  return reduce('mean', x, opts);
}
