/**
 * PPO's clipped losses (Schulman et al. 2017), each a masked mean over M response tokens, with its
 * backward beside it. Old log-probabilities, old values, advantages and returns are constants of the
 * rollout; only the new log-probabilities and values carry gradients.
 *
 * - Surrogate: mean of max(−A·ρ, −A·clip(ρ, 1−ε, 1+ε)), ρ = exp(logp − logp_old). The gradient of a token is
 *   −A·ρ where the unclipped term is the larger, else 0 (there the clipped term is flat in ρ).
 * - Value: ½ · mean of max((v − R)², (v_clip − R)²), v_clip = v_old + clip(v − v_old, −ε, ε) (TRL's). The
 *   gradient is (v − R) where the unclipped term is the larger, else (v_clip − R) while v_clip follows v.
 */
import { ShapeError } from '../errors.js';
import { Tensor, empty, live, record } from '../tensor.js';

function checkLengths(op: string, x: Tensor, ...arrays: ArrayLike<number>[]): void {
  for (const a of arrays)
    if (a.length !== x.size) throw new ShapeError(`${op}: ${a.length} values for ${x.describe()}`);
  if (x.size === 0) throw new ShapeError(`${op}: no tokens`);
}

/** The clipped surrogate loss of new log-probabilities logp (M) against the rollout's: a one-element tensor. */
export function clippedSurrogate(
  logp: Tensor,
  oldLogp: ArrayLike<number>,
  advantages: ArrayLike<number>,
  epsilon: number,
): Tensor {
  live(logp);
  checkLengths('clippedSurrogate', logp, oldLogp, advantages);
  const M = logp.size;
  const ratio = new Float64Array(M);
  const unclippedWins = new Uint8Array(M);
  let total = 0;
  for (let i = 0; i < M; i++) {
    const r = (ratio[i] = Math.exp(logp.data[i] - oldLogp[i]));
    const a = advantages[i];
    const unclipped = -a * r;
    const clipped = -a * Math.min(Math.max(r, 1 - epsilon), 1 + epsilon);
    unclippedWins[i] = unclipped >= clipped ? 1 : 0;
    total += Math.max(unclipped, clipped);
  }
  const out = empty([], logp.dtype);
  out.data[0] = total / M;
  record('clippedSurrogate', [logp], [out], () => {
    // d/dlogp of −A·ρ is −A·ρ; the clipped branch is flat
    const g = out.grad![0] / M;
    const gx = logp.ensureGrad();
    for (let i = 0; i < M; i++) if (unclippedWins[i]) gx[i] += g * -advantages[i] * ratio[i];
  });
  return out;
}

/** The clipped value loss of new values v (M) against the rollout's values and returns: a one-element tensor. */
export function clippedValueLoss(
  values: Tensor,
  oldValues: ArrayLike<number>,
  returns: ArrayLike<number>,
  epsilon: number,
): Tensor {
  live(values);
  checkLengths('clippedValueLoss', values, oldValues, returns);
  const M = values.size;
  const dv = new Float64Array(M); // ∂(½ max(...))/∂v per token
  let total = 0;
  for (let i = 0; i < M; i++) {
    const v = values.data[i];
    const step = v - oldValues[i];
    const inside = step > -epsilon && step < epsilon;
    const vClip = oldValues[i] + Math.min(Math.max(step, -epsilon), epsilon);
    const a = (v - returns[i]) ** 2;
    const b = (vClip - returns[i]) ** 2;
    total += 0.5 * Math.max(a, b);
    dv[i] = a >= b ? v - returns[i] : inside ? vClip - returns[i] : 0;
  }
  const out = empty([], values.dtype);
  out.data[0] = total / M;
  record('clippedValueLoss', [values], [out], () => {
    const g = out.grad![0] / M;
    const gx = values.ensureGrad();
    for (let i = 0; i < M; i++) gx[i] += g * dv[i];
  });
  return out;
}
