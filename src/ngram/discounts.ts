/**
 * Step 3 of Kneser-Ney estimation: the modified Kneser-Ney discounts of Chen & Goodman, one set per
 * order, from the count-of-counts t_k of adjusted counts:
 *   Y = t1 / (t1 + 2 t2),  D(k) = k − (k+1) · Y · t(k+1) / t(k)  for k = 1, 2, 3;  D(0) = 0, D(≥3) = D(3).
 */

/** The three discounts of one order: for adjusted counts 1, 2 and 3 or more. */
export interface Discount {
  d1: number;
  d2: number;
  d3: number;
}

/** KenLM's --discount_fallback default, used when the estimate is impossible. */
export const FALLBACK_DISCOUNT: Discount = { d1: 0.5, d2: 1, d3: 1.5 };

/** The discount applied to an adjusted count a. */
export function discountFor(d: Discount, a: number): number {
  return a === 0 ? 0 : a === 1 ? d.d1 : a === 2 ? d.d2 : d.d3;
}

/** Count-of-counts t1..t4 of the adjusted counts of one order (index k holds t_k). */
export function countOfCounts(adjusted: Int32Array): Float64Array {
  const t = new Float64Array(5);
  for (let r = 0; r < adjusted.length; r++) {
    const a = adjusted[r];
    if (a >= 1 && a <= 4) t[a]++;
  }
  return t;
}

/** Estimates the discounts from count-of-counts, or explains why they cannot be estimated. */
export function estimateDiscount(t: Float64Array): { discount: Discount } | { problem: string } {
  for (let k = 1; k <= 3; k++) {
    if (t[k] === 0) return { problem: `no n-grams with adjusted count ${k}` };
  }
  const y = t[1] / (t[1] + 2 * t[2]);
  const d = [0, 0, 0, 0];
  for (let k = 1; k <= 3; k++) {
    d[k] = k - (k + 1) * y * (t[k + 1] / t[k]);
    if (!(d[k] >= 0 && d[k] <= k))
      return { problem: `discount D${k} = ${d[k].toFixed(4)} is outside [0, ${k}]` };
  }
  return { discount: { d1: d[1], d2: d[2], d3: d[3] } };
}
