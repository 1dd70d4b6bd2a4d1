/**
 * Log-probabilities of chosen tokens: log softmax(logits)[t] at each position, the per-token quantity
 * DPO sums over a response and PPO takes ratios of. Fused like cross-entropy (it is its negative, not
 * averaged): the gradient of position i is dout_i · (onehot(t_i) − softmax(logits_i)). Positions whose
 * target is the ignore index give 0 with no gradient.
 */
import { kernelsFor } from '../backend.js';
import { ShapeError, fmt } from '../errors.js';
import { IntTensor, Tensor, empty, live, record } from '../tensor.js';

/** logits (..., V), targets (...) → ln p(target) (...), 0 where the target is `ignoreIndex` (default −100). */
export function tokenLogProbs(logits: Tensor, targets: IntTensor, ignoreIndex = -100): Tensor {
  live(logits);
  const V = logits.shape[logits.ndim - 1];
  const N = targets.size;
  if (logits.ndim < 1 || fmt(logits.shape.slice(0, -1)) !== fmt(targets.shape))
    throw new ShapeError(
      `tokenLogProbs: logits ${logits.describe()} need shape targets + [V]; targets are ${fmt(targets.shape)}`,
    );
  const k = kernelsFor(logits.data);
  const probs = empty([N, V], logits.dtype);
  const nll = empty([N], logits.dtype);
  // probs (N,V) = softmax(logits); nll (N) = −ln probs[t]
  k.crossEntropyForward(logits.data, targets.data, N, V, ignoreIndex, probs.data, nll.data);
  const out = empty(targets.shape, logits.dtype);
  for (let i = 0; i < N; i++) out.data[i] = targets.data[i] === ignoreIndex ? 0 : -nll.data[i];
  record('tokenLogProbs', [logits], [out], () => {
    // d ln p(t) / d logits = onehot(t) − probs: cross-entropy's backward with each row scaled by −dout
    const rowScale = nll.data; // reused: no longer needed
    for (let i = 0; i < N; i++) rowScale[i] = targets.data[i] === ignoreIndex ? 0 : -out.grad![i];
    k.crossEntropyBackward(probs.data, targets.data, rowScale, logits.ensureGrad(), N, V, ignoreIndex);
  });
  return out;
}
