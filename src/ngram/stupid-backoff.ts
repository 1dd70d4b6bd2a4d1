/**
 * Stupid backoff (Brants et al. 2007, "Large language models in machine translation"): relative
 * frequencies with a constant backoff factor α (0.4 in the paper) and no normalisation:
 *
 *   S(w | h) = c(h w) / c(h)   if c(h w) > 0,   else α · S(w | h')        S(w) = c(w) / tokens
 *
 * Scores are not probabilities (they do not sum to one), so its "perplexity" only ranks models of the
 * same kind. The constant α is charged for every shortened context, stored or not.
 */
import { contextTotals } from './add-k.js';
import { BackoffModel } from './backoff-model.js';
import type { NGramCounts } from './corpus-count.js';
import { BOS, UNK } from './vocabulary.js';

/** Builds a stupid-backoff model from raw counts with backoff factor `alpha`. */
export function estimateStupidBackoff(counts: NGramCounts, alpha = 0.4): BackoffModel {
  const { order, vocab, tables } = counts;
  const totals = contextTotals(counts);
  const logAlpha = Math.log10(alpha);
  const logProb: Float32Array[] = [new Float32Array(0)];
  const backoff: Float32Array[] = [new Float32Array(0)];
  for (let n = 1; n <= order; n++) {
    const size = n === 1 ? vocab.size : tables[n].size;
    const c = counts.counts[n];
    const lp = new Float32Array(size);
    for (let r = 0; r < size; r++) {
      const ctx = totals[n - 1][n === 1 ? 0 : tables[n].prefix[r]];
      lp[r] = Math.log10(c[r] / ctx);
    }
    if (n === 1) {
      lp[BOS] = 0;
      lp[UNK] = -Infinity; // never seen: stupid backoff has no mass for unknown words
    }
    logProb.push(lp);
    backoff.push(new Float32Array(n < order ? size : 0).fill(logAlpha));
  }
  const model = new BackoffModel(order, vocab, tables, logProb, backoff, {
    estimator: 'stupid',
    level: 'word',
    details: { alpha },
  });
  model.missingContextBackoff = logAlpha;
  return model;
}
