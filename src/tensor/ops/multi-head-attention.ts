/**
 * Multi-head attention of queries over separate keys and values, as an encoder–decoder needs it: q
 * (B,Tq,C), k and v (B,Tk,C), each split into H heads of C/H; per batch row b and head h,
 * S = scale · q_h k_hᵀ + bias_h (Tq,Tk), keys masked to −∞ (a key padding mask, a causal mask), P = softmax(S)
 * (kept for backward), y_h = P v_h. It covers T5's three attentions: encoder self-attention (relative
 * position bias, padding mask), decoder self-attention (bias, causal) and cross-attention (padding mask).
 * A causal mask aligns the queries with the last Tq keys (query i sees keys j ≤ i + Tk − Tq), so one new
 * query over a KV cache is causal too.
 * Backward: dP = dy vᵀ, dv = Pᵀ dy, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dbias = Σ_b dS, dq = scale · dS k,
 * dk = scale · dSᵀ q.
 */
import { kernelsFor } from '../backend.js';
import { ShapeError } from '../errors.js';
import { allocF32, releaseF32 } from '../pool.js';
import { IntTensor, Tensor, empty, live, record, type Floats } from '../tensor.js';

/** What else shapes the scores besides q·k. */
export interface AttentionOptions {
  /** Multiplies q·k (default 1/√(C/H); T5 uses 1, its scale folded into the initialization). */
  scale?: number;
  /** Added to every batch row's scores: (H,Tq,Tk), e.g. T5's relative position bias; it gets a gradient. */
  bias?: Tensor | null;
  /** (B,Tk): 1 a key, 0 padding no query attends to (Hugging Face's attention_mask). */
  keyMask?: IntTensor | null;
  /** Query i attends to keys j ≤ i + Tk − Tq only. */
  causal?: boolean;
}

/** Attention of q (B,Tq,C) over k, v (B,Tk,C) with nHead heads → (B,Tq,C). */
export function multiHeadAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  nHead: number,
  o: AttentionOptions = {},
): Tensor {
  live(q);
  live(k);
  live(v);
  if (q.ndim !== 3 || k.ndim !== 3 || v.ndim !== 3)
    throw new ShapeError(
      `multiHeadAttention: q ${q.describe()}, k ${k.describe()}, v ${v.describe()} must be (B, T, C)`,
    );
  const [B, Tq, C] = q.shape;
  const Tk = k.shape[1];
  if (k.shape[0] !== B || v.shape[0] !== B || k.shape[2] !== C || v.shape[2] !== C || v.shape[1] !== Tk)
    throw new ShapeError(
      `multiHeadAttention: k ${k.describe()} and v ${v.describe()} must both be (${B}, Tk, ${C})`,
    );
  if (!Number.isInteger(nHead) || nHead < 1 || C % nHead !== 0)
    throw new ShapeError(`multiHeadAttention: width ${C} is not divisible by n_head ${nHead}`);
  if (q.dtype !== k.dtype || q.dtype !== v.dtype)
    throw new ShapeError('multiHeadAttention: q, k and v must have one dtype');
  const H = nHead;
  const hs = C / H;
  const bias = o.bias ?? null;
  if (bias) {
    live(bias);
    if (bias.ndim !== 3 || bias.shape[0] !== H || bias.shape[1] !== Tq || bias.shape[2] !== Tk)
      throw new ShapeError(`multiHeadAttention: bias ${bias.describe()} must be (${H}, ${Tq}, ${Tk})`);
    if (bias.dtype !== q.dtype) throw new ShapeError('multiHeadAttention: bias must have the dtype of q');
  }
  const mask = o.keyMask ?? null;
  if (mask && (mask.shape.length !== 2 || mask.shape[0] !== B || mask.shape[1] !== Tk))
    throw new ShapeError(`multiHeadAttention: keyMask ${mask.describe()} must be (${B}, ${Tk})`);
  const causal = o.causal ?? false;
  if (causal && Tq > Tk)
    throw new ShapeError(`multiHeadAttention: causal attention of ${Tq} queries over ${Tk} keys`);
  if (mask)
    for (let b = 0; b < B; b++) {
      // the first query sees keys 0..Tk−Tq when causal, every key otherwise
      const seen = mask.data.subarray(b * Tk, b * Tk + (causal ? Tk - Tq + 1 : Tk));
      if (!seen.some((m) => m !== 0))
        throw new ShapeError(`multiHeadAttention: row ${b} of keyMask masks every key a query may see`);
    }
  const scale = o.scale ?? 1 / Math.sqrt(hs);
  const kern = kernelsFor(q.data);
  const TT = Tq * Tk;
  const out = empty([B, Tq, C], q.dtype);
  const att = empty([B, H, Tq, Tk], q.dtype); // P, kept for backward
  const S = att.data; // the scores are written in place of P, then softmaxed into a scratch copy
  for (let b = 0; b < B; b++)
    kern.gemm(
      false,
      true,
      Tq,
      Tk,
      hs,
      scale,
      q.data,
      b * Tq * C,
      C,
      k.data,
      b * Tk * C,
      C,
      0,
      S,
      b * H * TT,
      Tk,
      H,
      hs,
      hs,
      TT,
    );
  if (bias) kern.addBroadcast(S, bias.data, S, B * H * TT, H * TT, 1);
  if (mask || causal)
    for (let b = 0; b < B; b++)
      for (let r = b * H * Tq; r < (b + 1) * H * Tq; r++) {
        const i = r % Tq;
        const row = r * Tk;
        for (let j = 0; j < Tk; j++)
          if ((mask && mask.data[b * Tk + j] === 0) || (causal && j > i + Tk - Tq)) S[row + j] = -Infinity;
      }
  const scores = scratch(q.data, B * H * TT);
  scores.set(S);
  kern.softmaxForward(scores, att.data, B * H * Tq, Tk, false);
  freeScratch(scores);
  for (let b = 0; b < B; b++)
    kern.gemm(
      false,
      false,
      Tq,
      hs,
      Tk,
      1,
      att.data,
      b * H * TT,
      Tk,
      v.data,
      b * Tk * C,
      C,
      0,
      out.data,
      b * Tq * C,
      C,
      H,
      TT,
      hs,
      hs,
    );
  const inputs = bias ? [q, k, v, bias] : [q, k, v];
  record('multiHeadAttention', inputs, [out], () => {
    const dy = out.grad!;
    const P = att.data;
    const dP = scratch(q.data, B * H * TT);
    const dS = scratch(q.data, B * H * TT);
    dS.fill(0);
    for (let b = 0; b < B; b++) {
      const p0 = b * H * TT;
      // dP = dy_h v_hᵀ ; dv_h += Pᵀ dy_h
      kern.gemm(
        false,
        true,
        Tq,
        Tk,
        hs,
        1,
        dy,
        b * Tq * C,
        C,
        v.data,
        b * Tk * C,
        C,
        0,
        dP,
        p0,
        Tk,
        H,
        hs,
        hs,
        TT,
      );
      if (v.requiresGrad)
        kern.gemm(
          true,
          false,
          Tk,
          hs,
          Tq,
          1,
          P,
          p0,
          Tk,
          dy,
          b * Tq * C,
          C,
          1,
          v.ensureGrad(),
          b * Tk * C,
          C,
          H,
          TT,
          hs,
          hs,
        );
    }
    kern.softmaxBackward(P, dP, dS, B * H * Tq, Tk, false);
    if (bias?.requiresGrad) kern.accumulateBroadcast(dS, bias.ensureGrad(), B * H * TT, H * TT, 1);
    for (let b = 0; b < B; b++) {
      const p0 = b * H * TT;
      // dq_h += scale · dS k_h ; dk_h += scale · dSᵀ q_h
      if (q.requiresGrad)
        kern.gemm(
          false,
          false,
          Tq,
          hs,
          Tk,
          scale,
          dS,
          p0,
          Tk,
          k.data,
          b * Tk * C,
          C,
          1,
          q.ensureGrad(),
          b * Tq * C,
          C,
          H,
          TT,
          hs,
          hs,
        );
      if (k.requiresGrad)
        kern.gemm(
          true,
          false,
          Tk,
          hs,
          Tq,
          scale,
          dS,
          p0,
          Tk,
          q.data,
          b * Tq * C,
          C,
          1,
          k.ensureGrad(),
          b * Tk * C,
          C,
          H,
          TT,
          hs,
          hs,
        );
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
