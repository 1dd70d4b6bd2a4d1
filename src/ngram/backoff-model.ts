/**
 * An n-gram model in backoff form, the representation ARPA files hold: for each stored n-gram a
 * log10 probability and (below the top order) a log10 backoff weight. Every estimator (Kneser-Ney,
 * MLE, add-k, stupid backoff) produces one, so scoring, sampling and file formats are written once.
 *
 *   log10 p(w | h) = log10 p*(h w)                        if h w is stored
 *                  = b(h) + log10 p(w | h')               otherwise, h' = h without its first word
 * where b(h) = 0 when h itself is not stored (standard backoff). Stupid backoff (Brants et al. 2007)
 * instead charges its constant α even for unseen contexts: `missingContextBackoff` = log10 α.
 */
import { NGramTable } from './ngram-table.js';
import { BOS, NGramVocabulary } from './vocabulary.js';

/** How the model was made, and how text is split into tokens for it. */
export interface ModelInfo {
  estimator: 'kn' | 'mle' | 'addk' | 'stupid' | 'arpa';
  /** `word`: split on whitespace, as KenLM does. `char`: every code point a token, spaces as ▁. */
  level: 'word' | 'char';
  /** Free-form details (discounts, k, alpha, pruning) kept in the binary format's header. */
  details?: Record<string, unknown>;
}

/** Scoring state: the rows of the stored context n-grams ending at the last word. */
export class ScoreState {
  /** rows[j] = row (in the order-j table) of the last j words, or -1 when not stored; j = 1..N-1. */
  readonly rows: Int32Array;
  /** Number of history words available (≤ N−1). */
  len = 0;

  constructor(order: number) {
    this.rows = new Int32Array(Math.max(1, order)).fill(-1);
  }

  /** Copies another state into this one. */
  copyFrom(other: ScoreState): void {
    this.rows.set(other.rows);
    this.len = other.len;
  }
}

/** A backoff n-gram model: vocabulary, per-order tables, log10 probabilities and backoffs. */
export class BackoffModel {
  /** log10 of the backoff charged per unseen context (0 except for stupid backoff). */
  missingContextBackoff = 0;
  /** Length of the n-gram matched by the last call to `score`. */
  lastMatched = 0;
  /** Sinks for the prefetching reads in `score`, so they are not optimised away (a float field stays a float). */
  private touched = 0;
  private touchedBackoff = 0.5;
  private children: (ChildIndex | undefined)[] = [];
  private unigramProb?: Float64Array;
  private readonly found: Int32Array;

  /**
   * `tables[n]` (n ≥ 2) holds the n-grams of order n; order-1 rows are word ids.
   * `logProb[n][row]` is log10 p*, `backoff[n][row]` log10 b (n < order).
   */
  constructor(
    readonly order: number,
    readonly vocab: NGramVocabulary,
    readonly tables: NGramTable[],
    readonly logProb: Float32Array[],
    readonly backoff: Float32Array[],
    readonly info: ModelInfo,
  ) {
    this.found = new Int32Array(order + 1);
  }

  /** Number of stored n-grams of order n. */
  size(n: number): number {
    return n === 1 ? this.vocab.size : this.tables[n].size;
  }

  /** A state holding only `<s>`, where every sentence starts. */
  beginSentence(): ScoreState {
    const s = new ScoreState(this.order);
    this.advance(s, BOS, s);
    return s;
  }

  /**
   * Returns log10 p(w | state) for word id `w` and writes the state after it into `out` (may be
   * `state`); the length of the n-gram that matched is left in `lastMatched`.
   */
  score(state: ScoreState, w: number, out: ScoreState): number {
    const rows = state.rows;
    const len = state.len;
    const found = this.found;
    found[1] = w;
    let log10p = this.logProb[1][w];
    let matched = 1;
    // Start every order's memory reads at once (slot and context backoff: they are independent, so their
    // cache misses overlap), then search in order.
    let touched = 0;
    let touchedBackoff = 0.5;
    for (let j = 1; j <= len; j++) {
      const ctx = rows[j];
      if (ctx < 0) break;
      touched |= this.tables[j + 1].touch(ctx, w);
      touchedBackoff += this.backoff[j][ctx];
    }
    this.touched = touched;
    this.touchedBackoff = touchedBackoff;
    // Extend the match leftwards while the longer n-gram h_j w is stored (h_j = the last j words).
    for (let j = 1; j <= len; j++) {
      const ctx = rows[j];
      if (ctx < 0) break;
      const r = this.tables[j + 1].find(ctx, w);
      if (r < 0) break;
      log10p = this.logProb[j + 1][r];
      matched = j + 1;
      found[matched] = r;
    }
    // Contexts longer than the one matched contribute their backoff weights.
    for (let j = matched; j <= len; j++) {
      const ctx = rows[j];
      log10p += ctx >= 0 ? this.backoff[j][ctx] : this.missingContextBackoff;
    }
    // After w, the context of the last k words is stored exactly when k ≤ matched.
    const newLen = Math.min(len + 1, this.order - 1);
    for (let k = 1; k <= newLen; k++) out.rows[k] = k <= matched ? found[k] : -1;
    out.len = newLen;
    this.lastMatched = matched;
    return log10p;
  }

  /** Moves `state` past word `w` without scoring it (e.g. past `<s>` or a prompt). */
  advance(state: ScoreState, w: number, out: ScoreState): void {
    this.score(state, w, out);
  }

  /**
   * The next-word distribution after `state` (linear probabilities over the vocabulary, `<s>` at 0),
   * computed level by level: scale the lower-order distribution by the context's backoff, then overwrite
   * the words stored after that context.
   */
  distribution(state: ScoreState, out: Float64Array): Float64Array {
    out.set(this.unigrams());
    for (let j = 1; j <= state.len; j++) {
      const ctx = state.rows[j];
      const b = Math.pow(10, ctx >= 0 ? this.backoff[j][ctx] : this.missingContextBackoff);
      if (b !== 1) for (let w = 0; w < out.length; w++) out[w] *= b;
      if (ctx < 0) continue;
      const index = this.childIndex(j + 1);
      const lp = this.logProb[j + 1];
      const words = this.tables[j + 1].word;
      for (let k = index.start[ctx]; k < index.start[ctx + 1]; k++) {
        const r = index.rows[k];
        out[words[r]] = Math.pow(10, lp[r]);
      }
    }
    out[BOS] = 0;
    return out;
  }

  private unigrams(): Float64Array {
    if (!this.unigramProb) {
      const p = new Float64Array(this.vocab.size);
      for (let w = 0; w < p.length; w++) p[w] = Math.pow(10, this.logProb[1][w]);
      p[BOS] = 0;
      this.unigramProb = p;
    }
    return this.unigramProb;
  }

  /** Rows of order n grouped by their prefix row (built on first use; a counting sort). */
  private childIndex(n: number): ChildIndex {
    let index = this.children[n];
    if (!index) {
      const table = this.tables[n];
      const start = new Int32Array(this.size(n - 1) + 1);
      for (let r = 0; r < table.size; r++) start[table.prefix[r] + 1]++;
      for (let i = 1; i < start.length; i++) start[i] += start[i - 1];
      const fill = start.slice(0, -1);
      const rows = new Int32Array(table.size);
      for (let r = 0; r < table.size; r++) rows[fill[table.prefix[r]]++] = r;
      index = { start, rows };
      this.children[n] = index;
    }
    return index;
  }
}

interface ChildIndex {
  start: Int32Array;
  rows: Int32Array;
}
