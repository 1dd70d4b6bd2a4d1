/**
 * Fused causal multi-head self-attention over packed projections: qkv (B,T,3C) holds q | k | v, each
 * split into H heads of C/H; out (B,T,C) = concat_h softmax(q_h k_hᵀ / √(C/H) + causal mask) v_h.
 * The attention probabilities (B,H,T,T) are kept for the backward pass.
 */
import { kernelsFor } from '../backend.js';
import { ShapeError } from '../errors.js';
import { allocF32, releaseF32 } from '../pool.js';
import { IntTensor, Tensor, empty, live, record, type Floats } from '../tensor.js';

/** Causal self-attention of qkv (B,T,3C) with nHead heads → (B,T,C). */
export function causalSelfAttention(qkv: Tensor, nHead: number): Tensor {
  live(qkv);
  if (qkv.ndim !== 3 || qkv.shape[2] % 3 !== 0)
    throw new ShapeError(`causalSelfAttention: qkv ${qkv.describe()} must be (B, T, 3·C)`);
  const [B, T, C3] = qkv.shape;
  const C = C3 / 3;
  if (!Number.isInteger(nHead) || nHead < 1 || C % nHead !== 0)
    throw new ShapeError(`causalSelfAttention: n_embd ${C} is not divisible by n_head ${nHead}`);
  const out = empty([B, T, C], qkv.dtype);
  const att = empty([B, nHead, T, T], qkv.dtype);
  const k = kernelsFor(qkv.data);
  k.attentionForward(qkv.data, out.data, att.data, B, T, C, nHead);
  record('causalSelfAttention', [qkv], [out], () => {
    k.attentionBackward(out.grad!, qkv.data, att.data, qkv.ensureGrad(), B, T, C, nHead);
  });
  return out;
}

/**
 * Bidirectional (encoder) multi-head self-attention over packed projections qkv (B,T,3C) → (B,T,C), as
 * BERT's: every position attends to every position whose `keyMask` (B,T) entry is 1 (Hugging Face's
 * attention_mask: 1 a token, 0 padding); no mask attends everywhere. Built from the backend's batched gemm
 * and softmax kernels: per batch row b and head h, S = q kᵀ / √hs (T,T), masked keys −∞, P = softmax(S)
 * kept for backward, y = P v. Backward: dP = dy vᵀ, dv = Pᵀ dy, dS = P ⊙ (dP − rowsum(dP ⊙ P)),
 * dq = dS k / √hs, dk = dSᵀ q / √hs.
 */
export function selfAttention(qkv: Tensor, nHead: number, keyMask: IntTensor | null = null): Tensor {
  live(qkv);
  if (qkv.ndim !== 3 || qkv.shape[2] % 3 !== 0)
    throw new ShapeError(`selfAttention: qkv ${qkv.describe()} must be (B, T, 3·C)`);
  const [B, T, C3] = qkv.shape;
  const C = C3 / 3;
  if (!Number.isInteger(nHead) || nHead < 1 || C % nHead !== 0)
    throw new ShapeError(`selfAttention: n_embd ${C} is not divisible by n_head ${nHead}`);
  if (keyMask && (keyMask.shape.length !== 2 || keyMask.shape[0] !== B || keyMask.shape[1] !== T))
    throw new ShapeError(`selfAttention: keyMask ${keyMask.describe()} must be (${B}, ${T})`);
  if (keyMask)
    for (let b = 0; b < B; b++)
      if (!keyMask.data.subarray(b * T, (b + 1) * T).some((m) => m !== 0))
        throw new ShapeError(`selfAttention: row ${b} of keyMask masks every key`);
  const H = nHead;
  const hs = C / H;
  const scale = 1 / Math.sqrt(hs);
  const k = kernelsFor(qkv.data);
  const x = qkv.data;
  const out = empty([B, T, C], qkv.dtype);
  const att = empty([B, H, T, T], qkv.dtype); // P, kept for backward
  const scores = scratch(x, B * H * T * T);
  for (let b = 0; b < B; b++) {
    const q0 = b * T * C3;
    // S[b,h] = scale · q_h k_hᵀ for every head h (heads hs apart in the row, T·T apart in S)
    k.gemm(
      false,
      true,
      T,
      T,
      hs,
      scale,
      x,
      q0,
      C3,
      x,
      q0 + C,
      C3,
      0,
      scores,
      b * H * T * T,
      T,
      H,
      hs,
      hs,
      T * T,
    );
  }
  if (keyMask)
    for (let b = 0; b < B; b++)
      for (let j = 0; j < T; j++)
        if (keyMask.data[b * T + j] === 0)
          for (let r = b * H * T; r < (b + 1) * H * T; r++) scores[r * T + j] = -Infinity;
  k.softmaxForward(scores, att.data, B * H * T, T, false);
  freeScratch(scores);
  for (let b = 0; b < B; b++) {
    // y[b, :, h] = P[b,h] v_h
    const v0 = b * T * C3 + 2 * C;
    k.gemm(
      false,
      false,
      T,
      hs,
      T,
      1,
      att.data,
      b * H * T * T,
      T,
      x,
      v0,
      C3,
      0,
      out.data,
      b * T * C,
      C,
      H,
      T * T,
      hs,
      hs,
    );
  }
  record('selfAttention', [qkv], [out], () => {
    const dy = out.grad!;
    const dx = qkv.ensureGrad();
    const P = att.data;
    const dP = scratch(x, B * H * T * T);
    const dS = scratch(x, B * H * T * T);
    dS.fill(0);
    for (let b = 0; b < B; b++) {
      const p0 = b * H * T * T;
      const q0 = b * T * C3;
      const y0 = b * T * C;
      // dP = dy_h v_hᵀ ; dv_h += Pᵀ dy_h
      k.gemm(false, true, T, T, hs, 1, dy, y0, C, x, q0 + 2 * C, C3, 0, dP, p0, T, H, hs, hs, T * T);
      k.gemm(true, false, T, hs, T, 1, P, p0, T, dy, y0, C, 1, dx, q0 + 2 * C, C3, H, T * T, hs, hs);
    }
    k.softmaxBackward(P, dP, dS, B * H * T, T, false);
    for (let b = 0; b < B; b++) {
      const p0 = b * H * T * T;
      const q0 = b * T * C3;
      // dq_h += scale · dS k_h ; dk_h += scale · dSᵀ q_h
      k.gemm(false, false, T, hs, T, scale, dS, p0, T, x, q0 + C, C3, 1, dx, q0, C3, H, T * T, hs, hs);
      k.gemm(true, false, T, hs, T, scale, dS, p0, T, x, q0, C3, 1, dx, q0 + C, C3, H, T * T, hs, hs);
    }
    freeScratch(dP);
    freeScratch(dS);
  });
  return out;
}

/** A scratch buffer of n floats of the same precision as `like` (float32 ones come from the pool). */
function scratch(like: Floats, n: number): Floats {
  return like instanceof Float64Array ? new Float64Array(n) : allocF32(n);
}

/** Returns a scratch buffer to the pool. */
function freeScratch(buf: Floats): void {
  if (buf instanceof Float32Array) releaseF32(buf);
}
