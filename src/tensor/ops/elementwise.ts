/**
 * Broadcasting binary ops (add, sub, mul, div) and scalar ops. Each backward reduces the output
 * gradient onto the input's shape by accumulating at the mapped index.
 */
import { kernelsFor, type Kernels } from '../backend.js';
import { ShapeError } from '../errors.js';
import { Tensor, empty, live, record, type Floats } from '../tensor.js';
import { broadcastShape, indexMap, type IndexMap } from './broadcast.js';

type Kind = 'add' | 'sub' | 'mul' | 'div';

function binary(kind: Kind, a: Tensor, b: Tensor): Tensor {
  live(a);
  live(b);
  if (a.dtype !== b.dtype)
    throw new ShapeError(
      `${kind}: dtypes differ (${a.describe()} is ${a.dtype}, ${b.describe()} is ${b.dtype})`,
    );
  const shape = broadcastShape(kind, a.shape, b.shape);
  const out = empty(shape, a.dtype);
  const ma = indexMap(a.shape, shape);
  const mb = indexMap(b.shape, shape);
  const x = a.data;
  const y = b.data;
  const z = out.data;
  const n = out.size;
  // out[o] = a[ia] ∘ b[ib]
  const k = kernelsFor(x);
  if (typeof ma === 'number' && typeof mb === 'number' && ma === n && (kind === 'add' || kind === 'sub')) {
    k.addBroadcast(x, y, z, n, mb, kind === 'add' ? 1 : -1);
  } else if (typeof ma === 'number' && typeof mb === 'number' && ma === n) {
    if (kind === 'mul') for (let o = 0, j = 0; o < n; o++, j = j + 1 === mb ? 0 : j + 1) z[o] = x[o] * y[j];
    else for (let o = 0, j = 0; o < n; o++, j = j + 1 === mb ? 0 : j + 1) z[o] = x[o] / y[j];
  } else {
    for (let o = 0; o < n; o++) {
      const u = x[at(ma, o)];
      const v = y[at(mb, o)];
      z[o] = kind === 'add' ? u + v : kind === 'sub' ? u - v : kind === 'mul' ? u * v : u / v;
    }
  }

  record(kind, [a, b], [out], () => {
    const g = out.grad!;
    const ga = a.requiresGrad ? a.ensureGrad() : null;
    const gb = b.requiresGrad ? b.ensureGrad() : null;
    // d(a+b) = (1, 1); d(a−b) = (1, −1); d(ab) = (b, a); d(a/b) = (1/b, −a/b²)
    if (kind === 'add' || kind === 'sub') {
      if (ga) accumulate(k, g, ga, ma, 1);
      if (gb) accumulate(k, g, gb, mb, kind === 'add' ? 1 : -1);
      return;
    }
    for (let o = 0; o < n; o++) {
      const ia = at(ma, o);
      const ib = at(mb, o);
      const d = g[o];
      if (kind === 'mul') {
        if (ga) ga[ia] += d * y[ib];
        if (gb) gb[ib] += d * x[ia];
      } else {
        if (ga) ga[ia] += d / y[ib];
        if (gb) gb[ib] -= (d * x[ia]) / (y[ib] * y[ib]);
      }
    }
  });
  return out;
}

/** dst[map(o)] += sign · g[o] for every output position o. */
function accumulate(k: Kernels, g: Floats, dst: Floats, m: IndexMap, sign: number): void {
  const n = g.length;
  if (typeof m === 'number') {
    k.accumulateBroadcast(g, dst, n, m, sign);
  } else {
    for (let o = 0; o < n; o++) dst[m[o]] += sign * g[o];
  }
}

function at(m: IndexMap, o: number): number {
  return typeof m === 'number' ? o % m : m[o];
}

/** a + b with broadcasting. */
export function add(a: Tensor, b: Tensor): Tensor {
  return binary('add', a, b);
}

/** a − b with broadcasting. */
export function sub(a: Tensor, b: Tensor): Tensor {
  return binary('sub', a, b);
}

/** a · b (element-wise) with broadcasting. */
export function mul(a: Tensor, b: Tensor): Tensor {
  return binary('mul', a, b);
}

/** a / b (element-wise) with broadcasting. */
export function div(a: Tensor, b: Tensor): Tensor {
  return binary('div', a, b);
}

/** x · s + t for scalars s and t. */
export function affine(x: Tensor, s: number, t = 0): Tensor {
  live(x);
  const out = empty(x.shape, x.dtype);
  const a = x.data;
  const z = out.data;
  for (let i = 0; i < z.length; i++) z[i] = a[i] * s + t;
  record('affine', [x], [out], () => {
    const g = out.grad!;
    const gx: Floats = x.ensureGrad();
    for (let i = 0; i < gx.length; i++) gx[i] += g[i] * s;
  });
  return out;
}

/** x · s for a scalar s. */
export function scale(x: Tensor, s: number): Tensor {
  return affine(x, s, 0);
}
