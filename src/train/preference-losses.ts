/**
 * The losses of learning from preferences, both the Bradley–Terry pairwise loss over scalar rewards:
 *
 * - InstructGPT's reward-model loss (Ouyang et al. 2022, eq. 1): for a prompt with K ranked responses,
 *   −1/C(K,2) · Σ over its (better, worse) pairs of log σ(r(x, y_w) − r(x, y_l)), every pair of one ranking
 *   in the same batch element; optionally minus a margin per pair (Llama 2's margin, TRL's `margin`
 *   column) and plus TRL's centering term c · mean over pairs of (r_w + r_l)².
 * - DPO (Rafailov et al. 2023): the same loss on the implicit reward β (log π(y|x) − log π_ref(y|x)).
 * Pairs are rows of a ±1 matrix P (pairs × sequences), so r_w − r_l is one product P r whose backward is
 * the matmul's.
 */
import { add, affine, mul, sub } from '../tensor/ops/elementwise.js';
import { matmul } from '../tensor/ops/matmul.js';
import { sum } from '../tensor/ops/reduce.js';
import { reshape } from '../tensor/ops/shape.js';
import { tokenLogProbs } from '../tensor/ops/token-log-probs.js';
import { logSigmoid } from '../tensor/ops/unary.js';
import { IntTensor, Tensor } from '../tensor/tensor.js';
import type { GPT } from '../nn/gpt.js';
import { IGNORE_INDEX } from './sft-data.js';

/** The pairs of a batch: indices of the better and worse sequence, each pair's weight and margin. */
export interface PairBatch {
  pairs: [number, number][];
  /** Σ weights = 1: each ranking of the batch weighs 1/(rankings), split evenly over its pairs. */
  weights: Float64Array;
  /** Subtracted from r_w − r_l inside the sigmoid (0 without a margin). */
  margins: Float64Array;
}

/** The pairs of several rankings laid out one after the other; `offsets[i]` is ranking i's first sequence. */
export function pairBatch(
  rankings: readonly { pairs: readonly [number, number][]; margin?: number }[],
  offsets: readonly number[],
): PairBatch {
  const pairs: [number, number][] = [];
  const weights: number[] = [];
  const margins: number[] = [];
  rankings.forEach((r, i) => {
    for (const [w, l] of r.pairs) {
      pairs.push([offsets[i] + w, offsets[i] + l]);
      weights.push(1 / (r.pairs.length * rankings.length));
      margins.push(r.margin ?? 0);
    }
  });
  return { pairs, weights: Float64Array.from(weights), margins: Float64Array.from(margins) };
}

/** The (pairs, N) matrix with +1 at each pair's better sequence and `sign` at its worse one. */
function pairMatrix(b: PairBatch, N: number, sign: 1 | -1, like: Tensor): Tensor {
  const m = new (like.data.constructor as Float32ArrayConstructor)(b.pairs.length * N);
  b.pairs.forEach(([w, l], p) => {
    m[p * N + w] += 1;
    m[p * N + l] += sign;
  });
  return new Tensor(m, [b.pairs.length, N]);
}

function column(values: ArrayLike<number>, like: Tensor): Tensor {
  const data = new (like.data.constructor as Float32ArrayConstructor)(values.length);
  data.set(Array.from(values));
  return new Tensor(data, [values.length, 1]);
}

/** What a pairwise loss reports besides itself. */
export interface PairwiseResult {
  /** A one-element tensor. */
  loss: Tensor;
  /** r_w − r_l of each pair. */
  differences: Float64Array;
}

/**
 * −Σ_p w_p log σ(r_w − r_l − m_p) (+ c Σ_p (r_w + r_l)² / pairs when `center` c > 0) for rewards r (N).
 */
export function pairwiseRankingLoss(rewards: Tensor, b: PairBatch, center = 0): PairwiseResult {
  const N = rewards.size;
  const r = reshape(rewards, [N, 1]);
  const diff = matmul(pairMatrix(b, N, -1, rewards), r); // (P,1) r_w − r_l
  const margined = b.margins.some((m) => m !== 0) ? sub(diff, column(b.margins, rewards)) : diff;
  let loss = affine(sum(mul(logSigmoid(margined), column(b.weights, rewards))), -1);
  if (center > 0) {
    const both = matmul(pairMatrix(b, N, 1, rewards), r); // (P,1) r_w + r_l
    loss = add(loss, affine(sum(mul(both, both)), center / b.pairs.length));
  }
  return { loss, differences: Float64Array.from(diff.data) };
}

/**
 * Right-padded inputs and targets for scoring each sequence's response: x (N,T) holds ids[0 … len−2],
 * y (N,T) the next token where it belongs to the response (ids[start …]) and the ignore index elsewhere.
 */
export function responseTargets(sequences: readonly { ids: Int32Array; start: number }[]): {
  x: IntTensor;
  y: IntTensor;
} {
  const N = sequences.length;
  const T = Math.max(...sequences.map((s) => s.ids.length - 1));
  const x = new Int32Array(N * T);
  const y = new Int32Array(N * T).fill(IGNORE_INDEX);
  sequences.forEach(({ ids, start }, n) => {
    x.set(ids.subarray(0, ids.length - 1), n * T);
    for (let t = Math.max(0, start - 1); t < ids.length - 1; t++) y[n * T + t] = ids[t + 1];
  });
  return { x: new IntTensor(x, [N, T]), y: new IntTensor(y, [N, T]) };
}

/** log π(response | prompt) of each sequence (N): its response tokens' log-probabilities summed. */
export function responseLogProbs(net: GPT, sequences: readonly { ids: Int32Array; start: number }[]): Tensor {
  const { x, y } = responseTargets(sequences);
  return sum(tokenLogProbs(net.forward(x), y), { axes: [1] });
}
