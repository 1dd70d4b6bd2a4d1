/**
 * Fused causal multi-head self-attention over packed projections: qkv (B,T,3C) holds q | k | v, each
 * split into H heads of C/H; out (B,T,C) = concat_h softmax(q_h k_hᵀ / √(C/H) + causal mask) v_h.
 * The attention probabilities (B,H,T,T) are kept for the backward pass.
 */
import { kernelsFor } from '../backend.js';
import { ShapeError } from '../errors.js';
import { Tensor, empty, live, record } from '../tensor.js';

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
