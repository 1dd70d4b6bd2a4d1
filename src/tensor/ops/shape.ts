/**
 * Shape ops: reshape (a view sharing the buffer), permute/transpose, concat, split and slice
 * (copies). Backward of each moves the gradient back to the input's layout.
 */
import { ShapeError, fmt } from '../errors.js';
import { Tensor, empty, live, numel, record, viewOf } from '../tensor.js';

/** The same data with a new shape of equal size; one axis may be -1 (inferred). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  live(x);
  const known = shape.filter((d) => d !== -1);
  const inferred = shape.length - known.length;
  if (inferred > 1) throw new ShapeError(`reshape: at most one -1 allowed, got ${fmt(shape)}`);
  const rest = numel(known);
  const full = shape.map((d) => (d === -1 ? (rest === 0 ? 0 : x.size / rest) : d));
  if (numel(full) !== x.size || full.some((d) => !Number.isInteger(d)))
    throw new ShapeError(`reshape: cannot view ${x.describe()} (${x.size} elements) as ${fmt(shape)}`);
  const out = viewOf(x, full);
  record('reshape', [x], [out], () => {
    const g = out.grad!;
    const gx = x.ensureGrad();
    for (let i = 0; i < gx.length; i++) gx[i] += g[i];
  });
  return out;
}

function axis(x: { ndim: number; describe(): string }, a: number, op: string): number {
  const r = a < 0 ? a + x.ndim : a;
  if (!Number.isInteger(r) || r < 0 || r >= x.ndim)
    throw new ShapeError(`${op}: axis ${a} out of range for ${x.describe()}`);
  return r;
}

/** Reorders the axes: out.shape[i] = x.shape[perm[i]] (copies). */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  live(x);
  const p = perm.map((a) => axis(x, a, 'permute'));
  if (p.length !== x.ndim || new Set(p).size !== p.length)
    throw new ShapeError(`permute: ${fmt(perm)} is not a permutation of the axes of ${x.describe()}`);
  const shape = p.map((a) => x.shape[a]);
  const out = empty(shape, x.dtype);
  const inStrides = strides(x.shape);
  const src = p.map((a) => inStrides[a]); // stride in x of each output axis
  const map = walk(shape, src);
  const a = x.data;
  const z = out.data;
  for (let o = 0; o < z.length; o++) z[o] = a[map[o]];
  record('permute', [x], [out], () => {
    const g = out.grad!;
    const gx = x.ensureGrad();
    for (let o = 0; o < g.length; o++) gx[map[o]] += g[o];
  });
  return out;
}

/** Swaps two axes (copies). */
export function transpose(x: Tensor, a0 = -2, a1 = -1): Tensor {
  const perm = x.shape.map((_, i) => i);
  const i = axis(x, a0, 'transpose');
  const j = axis(x, a1, 'transpose');
  [perm[i], perm[j]] = [perm[j], perm[i]];
  return permute(x, perm);
}

function strides(shape: readonly number[]): number[] {
  const s = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/** For every position of `shape` in row-major order, the offset Σ idx[i]·stride[i]. */
function walk(shape: readonly number[], stride: number[]): Int32Array {
  const n = numel(shape);
  const map = new Int32Array(n);
  const idx = new Array(shape.length).fill(0);
  let cur = 0;
  for (let o = 0; o < n; o++) {
    map[o] = cur;
    for (let ax = shape.length - 1; ax >= 0; ax--) {
      idx[ax]++;
      cur += stride[ax];
      if (idx[ax] < shape[ax]) break;
      cur -= stride[ax] * shape[ax];
      idx[ax] = 0;
    }
  }
  return map;
}

/** Sizes around an axis: outer (product before it) and inner (product after it). */
function around(shape: readonly number[], ax: number): [number, number] {
  return [numel(shape.slice(0, ax)), numel(shape.slice(ax + 1))];
}

/** Joins tensors along an axis; all other axes must agree. */
export function concat(xs: readonly Tensor[], ax = 0): Tensor {
  if (xs.length === 0) throw new ShapeError('concat: needs at least one tensor');
  xs.forEach(live);
  const a = axis(xs[0], ax, 'concat');
  for (const t of xs) {
    const ok =
      t.ndim === xs[0].ndim &&
      t.dtype === xs[0].dtype &&
      t.shape.every((d, i) => i === a || d === xs[0].shape[i]);
    if (!ok)
      throw new ShapeError(`concat: ${t.describe()} does not match ${xs[0].describe()} outside axis ${a}`);
  }
  const total = xs.reduce((s, t) => s + t.shape[a], 0);
  const shape = [...xs[0].shape];
  shape[a] = total;
  const out = empty(shape, xs[0].dtype);
  const [outer, inner] = around(shape, a);
  const row = total * inner;
  let off = 0;
  const offsets: number[] = [];
  for (const t of xs) {
    offsets.push(off);
    const w = t.shape[a] * inner;
    for (let o = 0; o < outer; o++) out.data.set(t.data.subarray(o * w, (o + 1) * w), o * row + off);
    off += w;
  }
  record('concat', [...xs], [out], () => {
    const g = out.grad!;
    xs.forEach((t, k) => {
      if (!t.requiresGrad) return;
      const gt = t.ensureGrad();
      const w = t.shape[a] * inner;
      for (let o = 0; o < outer; o++)
        for (let j = 0; j < w; j++) gt[o * w + j] += g[o * row + offsets[k] + j];
    });
  });
  return out;
}

/** Splits a tensor along an axis into pieces of the given sizes (which must add up to the axis). */
export function split(x: Tensor, sizes: readonly number[], ax = 0): Tensor[] {
  live(x);
  const a = axis(x, ax, 'split');
  if (sizes.reduce((s, d) => s + d, 0) !== x.shape[a] || sizes.some((d) => !Number.isInteger(d) || d < 0))
    throw new ShapeError(`split: sizes ${fmt(sizes)} do not add up to axis ${a} of ${x.describe()}`);
  const [outer, inner] = around(x.shape, a);
  const row = x.shape[a] * inner;
  const outs: Tensor[] = [];
  const offsets: number[] = [];
  let off = 0;
  for (const d of sizes) {
    const shape = [...x.shape];
    shape[a] = d;
    const t = empty(shape, x.dtype);
    const w = d * inner;
    for (let o = 0; o < outer; o++) t.data.set(x.data.subarray(o * row + off, o * row + off + w), o * w);
    outs.push(t);
    offsets.push(off);
    off += w;
  }
  record('split', [x], outs, () => {
    const gx = x.ensureGrad();
    outs.forEach((t, k) => {
      const g = t.grad;
      if (!g) return;
      const w = sizes[k] * inner;
      for (let o = 0; o < outer; o++)
        for (let j = 0; j < w; j++) gx[o * row + offsets[k] + j] += g[o * w + j];
    });
  });
  return outs;
}

/** The elements with start ≤ index < end along one axis (copies). */
export function slice(x: Tensor, ax: number, start: number, end: number): Tensor {
  live(x);
  const a = axis(x, ax, 'slice');
  const n = x.shape[a];
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > n || start > end)
    throw new ShapeError(`slice: [${start}, ${end}) is outside axis ${a} (size ${n}) of ${x.describe()}`);
  const [outer, inner] = around(x.shape, a);
  const shape = [...x.shape];
  shape[a] = end - start;
  const out = empty(shape, x.dtype);
  const row = n * inner;
  const w = (end - start) * inner;
  const off = start * inner;
  // out[o, :] = x[o, start:end, :] for every outer index o
  for (let o = 0; o < outer; o++) out.data.set(x.data.subarray(o * row + off, o * row + off + w), o * w);
  record('slice', [x], [out], () => {
    const g = out.grad!;
    const gx = x.ensureGrad();
    for (let o = 0; o < outer; o++) for (let j = 0; j < w; j++) gx[o * row + off + j] += g[o * w + j];
  });
  return out;
}
