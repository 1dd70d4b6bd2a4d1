/**
 * Interpolated modified Kneser-Ney exactly as KenLM's lmplz estimates it (Heafield et al. 2013).
 * The pipeline follows lmplz's steps: corpus_count → adjust_counts → discounts →
 * initial_probabilities (u and γ per context) → interpolate (with the lower order) → prune → backoff form.
 *
 *   u(w|h) = (a(hw) − D(a(hw))) / Σx a(hx)           γ(h) = Σx D(a(hx)) / Σx a(hx)
 *   p(w)   = u(w) + γ(ε) / |V|                        p(w|h) = u(w|h) + γ(h) · p(w|h')
 * and the backoff weight of a context h is γ(h); n-grams that are no context (e.g. ending in `</s>`) get 0.
 */
import { LmkitError } from '../errors.js';
import { adjustCounts } from './adjust-counts.js';
import { BackoffModel } from './backoff-model.js';
import type { NGramCounts } from './corpus-count.js';
import {
  countOfCounts,
  discountFor,
  estimateDiscount,
  FALLBACK_DISCOUNT,
  type Discount,
} from './discounts.js';
import { NGramTable } from './ngram-table.js';
import { BOS } from './vocabulary.js';

export interface KneserNeyOptions {
  /** Explicit discounts per order (index 0 = unigrams); the last entry repeats for higher orders. */
  discounts?: Discount[];
  /** Discounts used for an order whose estimate is impossible (default KenLM's 0.5, 1, 1.5). */
  fallback?: Discount;
  /**
   * Count pruning thresholds per order (index 0 = unigrams; non-decreasing; the last repeats):
   * n-grams whose raw count is ≤ the threshold are dropped and their mass goes to the backoff.
   */
  prune?: number[];
}

/** The estimated model plus what the estimator wants the user to know. */
export interface Estimate {
  model: BackoffModel;
  warnings: string[];
  discounts: Discount[];
}

/** Estimates an interpolated modified Kneser-Ney model from raw counts. */
export function estimateKneserNey(counts: NGramCounts, options: KneserNeyOptions = {}): Estimate {
  const { order, vocab, tables } = counts;
  const warnings: string[] = [];
  const prune = pruneThresholds(options.prune, order);
  const { suffix, adjusted } = adjustCounts(counts);

  // Discounts, one set per order, from all n-grams (pruned ones included, as lmplz does).
  const discounts: Discount[] = [];
  for (let n = 1; n <= order; n++) {
    const given = options.discounts?.[Math.min(n - 1, options.discounts.length - 1)];
    if (given) {
      discounts.push(given);
      continue;
    }
    const est = estimateDiscount(countOfCounts(adjusted[n]));
    if ('discount' in est) {
      discounts.push(est.discount);
    } else {
      const fb = options.fallback ?? FALLBACK_DISCOUNT;
      warnings.push(
        `order ${n}: cannot estimate Kneser-Ney discounts (${est.problem}); ` +
          `falling back to D1=${fb.d1} D2=${fb.d2} D3+=${fb.d3} (more data, or explicit --discounts, avoids this)`,
      );
      discounts.push(fb);
    }
  }

  // Which n-grams survive pruning (raw count above the threshold of their order).
  const keep: Uint8Array[] = [new Uint8Array(0), new Uint8Array(vocab.size).fill(1)];
  for (let n = 2; n <= order; n++) {
    const k = new Uint8Array(tables[n].size);
    const raw = counts.counts[n];
    for (let r = 0; r < k.length; r++) k[r] = raw[r] > prune[n - 1] ? 1 : 0;
    keep.push(k);
  }

  // Initial probabilities and interpolation, order by order from unigrams up; each order needs
  // only the probabilities of the order below, so those are dropped as soon as they are used.
  const logProb: Float32Array[] = [new Float32Array(0)];
  const backoff: Float32Array[] = [new Float32Array(0)];
  let lower: Float64Array;
  {
    const a = adjusted[1];
    const d = discounts[0];
    let den = 0;
    let num = 0;
    for (let w = 0; w < a.length; w++) {
      den += a[w];
      num += discountFor(d, a[w]);
    }
    if (den === 0) throw new LmkitError('the corpus has no words to estimate from');
    const interp = num / den / (vocab.size - 1);
    lower = new Float64Array(vocab.size);
    for (let w = 0; w < a.length; w++) lower[w] = (a[w] - discountFor(d, a[w])) / den + interp;
    lower[BOS] = 1; // written as log10 p = 0, as lmplz does; never scored
    logProb.push(toLog10(lower));
  }
  for (let n = 2; n <= order; n++) {
    const t = tables[n];
    const a = adjusted[n];
    const d = discounts[n - 1];
    const k = keep[n];
    const contexts = n === 2 ? vocab.size : tables[n - 1].size;
    const den = new Float64Array(contexts);
    const num = new Float64Array(contexts);
    for (let r = 0; r < t.size; r++) {
      const h = t.prefix[r];
      den[h] += a[r];
      num[h] += k[r] ? discountFor(d, a[r]) : a[r]; // a pruned n-gram's whole mass goes to γ(h)
    }
    // γ(h) becomes h's backoff weight (0 in log10 when h is no context).
    const b = new Float32Array(contexts);
    for (let h = 0; h < contexts; h++) {
      num[h] = den[h] > 0 ? num[h] / den[h] : 0;
      b[h] = num[h] > 0 ? Math.log10(num[h]) : 0;
    }
    backoff.push(b);
    const gamma = num;
    const p = new Float64Array(t.size);
    const suf = suffix[n];
    for (let r = 0; r < t.size; r++) {
      const h = t.prefix[r];
      p[r] = (a[r] - discountFor(d, a[r])) / den[h] + gamma[h] * lower[suf[r]];
    }
    logProb.push(toLog10(p));
    lower = p;
  }
  backoff.push(new Float32Array(0)); // the top order has no backoff column

  const model = new BackoffModel(order, vocab, tables, logProb, backoff, { estimator: 'kn', level: 'word' });
  return { model: keep.some((k) => k.includes(0)) ? withoutPruned(model, keep) : model, warnings, discounts };
}

/** log10 of each probability as float32, clamped to ≤ 0 as lmplz writes them. */
function toLog10(p: Float64Array): Float32Array {
  const out = new Float32Array(p.length);
  for (let i = 0; i < p.length; i++) out[i] = Math.min(0, Math.log10(p[i]));
  return out;
}

/** The same model with the pruned n-grams removed: tables rebuilt over the surviving rows. */
function withoutPruned(model: BackoffModel, keep: Uint8Array[]): BackoffModel {
  const { order, vocab } = model;
  const tables: NGramTable[] = [model.tables[0], model.tables[1]];
  const logProb = [model.logProb[0], model.logProb[1]];
  const backoff = [model.backoff[0], model.backoff[1]];
  let remap = Int32Array.from({ length: vocab.size }, (_, i) => i);
  for (let n = 2; n <= order; n++) {
    const src = model.tables[n];
    const k = keep[n];
    let kept = 0;
    for (let r = 0; r < src.size; r++) kept += k[r];
    const table = new NGramTable(kept);
    const lp = new Float32Array(kept);
    const bo = new Float32Array(n < order ? kept : 0);
    const rowOf = new Int32Array(src.size).fill(-1);
    for (let r = 0; r < src.size; r++) {
      if (!k[r]) continue;
      const row = table.findOrInsert(remap[src.prefix[r]], src.word[r]);
      rowOf[r] = row;
      lp[row] = model.logProb[n][r];
      if (n < order) bo[row] = model.backoff[n][r];
    }
    table.compact();
    tables.push(table);
    logProb.push(lp);
    backoff.push(bo);
    remap = rowOf;
  }
  return new BackoffModel(order, vocab, tables, logProb, backoff, model.info);
}

/** Expands --prune thresholds to one per order, checking they are usable. */
export function pruneThresholds(given: number[] | undefined, order: number): number[] {
  const t: number[] = [];
  for (let n = 0; n < order; n++) t.push(given && given.length ? given[Math.min(n, given.length - 1)] : 0);
  if (!given || !given.length) return t;
  for (const v of given) {
    if (!Number.isInteger(v) || v < 0)
      throw new LmkitError(`pruning thresholds must be whole numbers ≥ 0 (got ${v})`);
  }
  if (t[0] !== 0) {
    throw new LmkitError('unigram pruning is not supported: the first --prune threshold must be 0', {
      hint: 'e.g. --prune 0,1,1 keeps all unigrams and drops singleton bigrams and trigrams',
    });
  }
  for (let n = 1; n < given.length; n++) {
    if (given[n] < given[n - 1])
      throw new LmkitError(`--prune thresholds must be non-decreasing (got ${given.join(',')})`);
  }
  return t;
}
