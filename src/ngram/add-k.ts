/**
 * Maximum likelihood and add-k (Laplace when k = 1) estimates, written in backoff form so they share
 * scoring, sampling and file formats with Kneser-Ney:
 *
 *   p(w | h) = (c(h w) + k) / (c(h) + k·|V|)        (MLE: k = 0)
 *
 * where h is the full history (N−1 words, or fewer right after `<s>`). A stored n-gram whose
 * probability is used directly ("full": top order, or starting with `<s>`) holds that value; its
 * context holds the backoff b(h) = k·|V| / (c(h) + k·|V|); every other stored n-gram is only a waypoint
 * with probability 1/|V| (0 for MLE) and backoff 1, so an unseen h w scores b(h) · 1/|V| = k / (c(h) + k·|V|).
 * For MLE the unseen events get probability 0, which evaluation reports as infinite perplexity.
 */
import { adjustCounts } from './adjust-counts.js';
import { BackoffModel } from './backoff-model.js';
import type { NGramCounts } from './corpus-count.js';
import { BOS } from './vocabulary.js';

/** Estimates an add-k model from raw counts (k = 0 gives maximum likelihood). */
export function estimateAddK(counts: NGramCounts, k: number): BackoffModel {
  const { order, vocab, tables } = counts;
  const { startsWithBos } = adjustCounts(counts);
  const V = vocab.size - 1; // every word but <s> can follow
  const waypoint = k > 0 ? -Math.log10(V) : -Infinity;
  const totals = contextTotals(counts);
  const logProb: Float32Array[] = [new Float32Array(0)];
  const backoff: Float32Array[] = [new Float32Array(0)];
  for (let n = 1; n <= order; n++) {
    const size = n === 1 ? vocab.size : tables[n].size;
    const c = counts.counts[n];
    const bos = startsWithBos[n];
    const lp = new Float32Array(size);
    for (let r = 0; r < size; r++) {
      const full = n === order || bos[r] === 1;
      if (!full) {
        lp[r] = waypoint;
        continue;
      }
      const ctx = totals[n - 1][n === 1 ? 0 : tables[n].prefix[r]];
      lp[r] = Math.log10((c[r] + k) / (ctx + k * V));
    }
    if (n === 1) lp[BOS] = 0;
    logProb.push(lp);
    const b = new Float32Array(n < order ? size : 0);
    for (let r = 0; r < b.length; r++) {
      const contextOfFull = n === order - 1 || bos[r] === 1;
      if (contextOfFull && totals[n][r] > 0) b[r] = Math.log10((k * V) / (totals[n][r] + k * V));
    }
    backoff.push(b);
  }
  return new BackoffModel(order, vocab, tables, logProb, backoff, {
    estimator: k === 0 ? 'mle' : 'addk',
    level: 'word',
    details: k === 0 ? {} : { k },
  });
}

/**
 * totals[m][row] = c(h) for every context h of order m, as the sum of its continuations' counts;
 * totals[0][0] is the number of tokens (every word and `</s>`, not `<s>`).
 */
export function contextTotals(counts: NGramCounts): Float64Array[] {
  const { order, vocab, tables } = counts;
  const totals: Float64Array[] = [Float64Array.of(0)];
  let tokens = 0;
  for (let w = 0; w < vocab.size; w++) if (w !== BOS) tokens += counts.counts[1][w];
  totals[0][0] = tokens;
  for (let m = 1; m < order; m++) {
    const t = new Float64Array(m === 1 ? vocab.size : tables[m].size);
    const higher = tables[m + 1];
    const c = counts.counts[m + 1];
    for (let r = 0; r < higher.size; r++) t[higher.prefix[r]] += c[r];
    totals.push(t);
  }
  return totals;
}
