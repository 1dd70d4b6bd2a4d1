/**
 * Rotary position embeddings (Su et al. 2021, RoFormer) on a fused qkv tensor (B,T,3C): in every head
 * (size d = C/H) of q and k, the pair of features (i, i + d/2) turns by the angle pos · base^(−2i/d), the
 * "rotate half" layout of GPT-NeoX and Llama; v passes through. Row t has position offset + t, so a KV
 * cache rotates new tokens at their true positions. Angles are computed in float64.
 */
import { ShapeError } from '../errors.js';
import { Tensor, empty, live, record, type Floats } from '../tensor.js';

/** The default RoPE base (θ in Llama's config). */
export const ROPE_BASE = 10000;

/**
 * Rotates, in place, the q and k parts of `rows` rows of a fused qkv buffer (row r at data[start + r·3C])
 * whose row r has position positions(r); `sign` −1 applies the inverse rotation (the backward pass).
 */
export function rotateQK(
  data: Floats,
  start: number,
  rows: number,
  C: number,
  H: number,
  position: (row: number) => number,
  base = ROPE_BASE,
  sign: 1 | -1 = 1,
): void {
  const d = C / H;
  const half = d / 2;
  for (let r = 0; r < rows; r++) {
    const pos = position(r);
    const row = start + r * 3 * C;
    for (let i = 0; i < half; i++) {
      const angle = pos * Math.pow(base, (-2 * i) / d);
      const cos = Math.cos(angle);
      const sin = sign * Math.sin(angle);
      for (let part = 0; part < 2; part++) {
        for (let h = 0; h < H; h++) {
          const a = row + part * C + h * d + i;
          const x1 = data[a];
          const x2 = data[a + half];
          data[a] = x1 * cos - x2 * sin;
          data[a + half] = x2 * cos + x1 * sin;
        }
      }
    }
  }
}

/** qkv (B,T,3C) → the same with q and k rotated by position (offset + t) per head of nHead; differentiable. */
export function rotary(qkv: Tensor, nHead: number, offset = 0, base = ROPE_BASE): Tensor {
  live(qkv);
  if (qkv.ndim !== 3 || qkv.shape[2] % 3 !== 0)
    throw new ShapeError(`rotary: qkv ${qkv.describe()} must be (B, T, 3C)`);
  const [B, T, C3] = qkv.shape;
  const C = C3 / 3;
  if (C % nHead !== 0 || (C / nHead) % 2 !== 0)
    throw new ShapeError(`rotary: head size ${C}/${nHead} must be a whole, even number`);
  const out = empty(qkv.shape, qkv.dtype);
  out.data.set(qkv.data);
  const position = (row: number) => offset + (row % T);
  rotateQK(out.data, 0, B * T, C, nHead, position, base, 1);
  record('rotary', [qkv], [out], () => {
    const g = out.grad!.slice();
    rotateQK(g, 0, B * T, C, nHead, position, base, -1);
    const dx = qkv.ensureGrad();
    for (let i = 0; i < g.length; i++) dx[i] += g[i];
  });
  return out;
}
