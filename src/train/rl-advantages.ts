/**
 * The per-token arithmetic of RLHF's PPO (Ziegler et al. 2019, InstructGPT; TRL's PPOTrainer): the KL
 * penalty against the frozen reference, the rewards it makes with the score at the end of the response,
 * generalised advantage estimation (Schulman et al. 2016), whitening, and the adaptive KL controller.
 */

/** How KL(π ‖ π_ref) is estimated from a sampled token (Schulman's k1, k3). */
export type KLEstimator = 'k1' | 'k3';

/** The KL estimate of one sampled token from its log-probabilities under the policy and the reference. */
export function klEstimate(logp: number, refLogp: number, kind: KLEstimator): number {
  const d = refLogp - logp; // log(π_ref / π)
  return kind === 'k1' ? -d : Math.expm1(d) - d; // k1: log π/π_ref; k3: (r − 1) − log r ≥ 0, r = π_ref/π
}

/**
 * Per-token rewards of one response: −β·KL at every token, plus the sequence's score at its last token.
 * Returns the rewards and the response's summed KL.
 */
export function tokenRewards(
  logp: ArrayLike<number>,
  refLogp: ArrayLike<number>,
  score: number,
  beta: number,
  kind: KLEstimator,
): { rewards: Float64Array; kl: number } {
  const n = logp.length;
  const rewards = new Float64Array(n);
  let kl = 0;
  for (let t = 0; t < n; t++) {
    const k = klEstimate(logp[t], refLogp[t], kind);
    kl += k;
    rewards[t] = -beta * k;
  }
  rewards[n - 1] += score;
  return { rewards, kl };
}

/**
 * Generalised advantage estimation over one response: δ_t = r_t + γ V_{t+1} − V_t (V after the last token
 * is 0), A_t = δ_t + γλ A_{t+1}; returns R_t = A_t + V_t.
 */
export function gae(
  rewards: ArrayLike<number>,
  values: ArrayLike<number>,
  gamma: number,
  lambda: number,
): { advantages: Float64Array; returns: Float64Array } {
  const n = rewards.length;
  const advantages = new Float64Array(n);
  const returns = new Float64Array(n);
  let next = 0;
  for (let t = n - 1; t >= 0; t--) {
    const delta = rewards[t] + gamma * (t + 1 < n ? values[t + 1] : 0) - values[t];
    next = advantages[t] = delta + gamma * lambda * next;
    returns[t] = advantages[t] + values[t];
  }
  return { advantages, returns };
}

/** Every value of several arrays shifted to mean 0 and scaled to variance 1 (in place; TRL's `whiten`). */
export function whiten(arrays: Float64Array[]): void {
  let n = 0;
  let sum = 0;
  for (const a of arrays) {
    n += a.length;
    for (const x of a) sum += x;
  }
  if (n < 2) return;
  const mean = sum / n;
  let ss = 0;
  for (const a of arrays) for (const x of a) ss += (x - mean) ** 2;
  const scale = 1 / Math.sqrt(ss / (n - 1) + 1e-8);
  for (const a of arrays) for (let i = 0; i < a.length; i++) a[i] = (a[i] - mean) * scale;
}

/**
 * Ziegler et al.'s adaptive KL coefficient: after each batch, β ← β (1 + e · n / horizon) with the
 * proportional error e = clip(KL / target − 1, −0.2, 0.2), so the KL drifts toward the target.
 */
export function adaptiveKL(
  beta: number,
  kl: number,
  target: number,
  batchSize: number,
  horizon: number,
): number {
  const error = Math.min(Math.max(kl / target - 1, -0.2), 0.2);
  return beta * (1 + (error * batchSize) / horizon);
}
