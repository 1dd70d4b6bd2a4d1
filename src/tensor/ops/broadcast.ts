/** Broadcasting rules shared by the binary ops (NumPy's: align trailing axes, size-1 axes stretch). */
import { ShapeError, fmt } from '../errors.js';
import { numel } from '../tensor.js';

/**
 * How an input's elements map to output positions: a number m means index `o % m` (the input is the
 * output, m = output size, or a trailing block of it); an array lists the input index of every output.
 */
export type IndexMap = number | Int32Array;

/** The broadcast result shape of a and b, or a ShapeError naming the op and shapes. */
export function broadcastShape(op: string, a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1)
      throw new ShapeError(
        `${op}: shapes ${fmt(a)} and ${fmt(b)} cannot be broadcast (axis ${i}: ${da} vs ${db})`,
      );
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** The index map from an output of shape `out` back to an input of shape `inp`. */
export function indexMap(inp: readonly number[], out: readonly number[]): IndexMap {
  const n = numel(inp);
  // A trailing block: inp (after dropping leading 1s) equals the last axes of out.
  let k = 0;
  while (k < inp.length && inp[k] === 1 && inp.length - k > 0) k++;
  const core = inp.slice(k);
  if (fmt(core) === fmt(out.slice(out.length - core.length))) return Math.max(n, 1);
  const map = new Int32Array(numel(out));
  const strides: number[] = new Array(out.length).fill(0);
  let s = 1;
  for (let i = inp.length - 1; i >= 0; i--) {
    const axis = out.length - inp.length + i;
    strides[axis] = inp[i] === 1 ? 0 : s;
    s *= inp[i];
  }
  const idx = new Array(out.length).fill(0);
  let cur = 0;
  for (let o = 0; o < map.length; o++) {
    map[o] = cur;
    for (let ax = out.length - 1; ax >= 0; ax--) {
      idx[ax]++;
      cur += strides[ax];
      if (idx[ax] < out[ax]) break;
      cur -= strides[ax] * out[ax];
      idx[ax] = 0;
    }
  }
  return map;
}
