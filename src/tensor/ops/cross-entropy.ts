/**
 * Fused softmax + cross-entropy: loss = Σᵢ wᵢ · (−log softmax(logitsᵢ)[tᵢ]) / Σᵢ wᵢ over positions whose
 * target is not the ignore index (wᵢ = 1 without weights; 'sum' skips the division). When every position
 * is ignored the loss is 0 with zero gradient. The gradient is wᵢ (softmax − onehot) / Σw per row.
 */
import { kernelsFor } from '../backend.js';
import { ShapeError, fmt } from '../errors.js';
import { IntTensor, Tensor, empty, live, record, type Floats } from '../tensor.js';

/** Options of crossEntropy. */
export interface CrossEntropyOptions {
  /** Targets equal to this are skipped (default −100, as PyTorch). */
  ignoreIndex?: number;
  /** Per-position weights, one per target (e.g. SFT loss masks). */
  weights?: Floats | Tensor;
  /** 'mean' (weighted mean, default) or 'sum'. */
  reduction?: 'mean' | 'sum';
}

/** Cross-entropy of logits (..., V) against integer targets (...): a one-element tensor. */
export function crossEntropy(logits: Tensor, targets: IntTensor, opts: CrossEntropyOptions = {}): Tensor {
  live(logits);
  const ignore = opts.ignoreIndex ?? -100;
  const V = logits.shape[logits.ndim - 1];
  const N = targets.size;
  if (logits.ndim < 1 || fmt(logits.shape.slice(0, -1)) !== fmt(targets.shape))
    throw new ShapeError(
      `crossEntropy: logits ${logits.describe()} need shape targets + [V]; targets are ${fmt(targets.shape)}`,
    );
  const w = opts.weights instanceof Tensor ? opts.weights.data : opts.weights;
  if (w && w.length !== N)
    throw new ShapeError(`crossEntropy: ${w.length} weights for ${N} targets ${fmt(targets.shape)}`);
  const k = kernelsFor(logits.data);
  const probs = empty([N, V], logits.dtype);
  const losses = empty([N], logits.dtype);
  // probs (N,V) = softmax(logits); losses (N) = −log probs[t]
  k.crossEntropyForward(logits.data, targets.data, N, V, ignore, probs.data, losses.data);
  let total = 0;
  let weightSum = 0;
  for (let i = 0; i < N; i++) {
    if (targets.data[i] === ignore) continue;
    const wi = w ? w[i] : 1;
    total += wi * losses.data[i];
    weightSum += wi;
  }
  const denom = opts.reduction === 'sum' || weightSum === 0 ? 1 : weightSum;
  const out = empty([], logits.dtype);
  out.data[0] = total / denom;
  record('crossEntropy', [logits], [out], () => {
    const g = out.grad![0] / denom;
    const rowScale = losses.data; // reused: its values are no longer needed
    for (let i = 0; i < N; i++) rowScale[i] = targets.data[i] === ignore ? 0 : g * (w ? w[i] : 1);
    k.crossEntropyBackward(probs.data, targets.data, rowScale, logits.ensureGrad(), N, V, ignore);
  });
  return out;
}
