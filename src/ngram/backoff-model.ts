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
import { ProbingIndex, ScoreState, type Columns, type ProbingLayout } from './probing-index.js';
import { BOS, NGramVocabulary } from './vocabulary.js';

/** How the model was made, and how text is split into tokens for it. */
export interface ModelInfo {
  estimator: 'kn' | 'mle' | 'addk' | 'stupid' | 'arpa';
  /** `word`: split on whitespace, as KenLM does. `char`: every code point a token, spaces as ▁. */
  level: 'word' | 'char';
  /** Free-form details (discounts, k, alpha, pruning) kept in the binary format's header. */
  details?: Record<string, unknown>;
}

export { ScoreState };

/**
 * A backoff n-gram model: vocabulary plus, per order, a table of n-grams with log10 probabilities and
 * backoffs. Estimators build it in column form (rows of `tables`, `logProb`, `backoff`); scoring and
 * sampling go through a `ProbingIndex` built from the columns on first use (or read from a binary file, in
 * which case the columns are rebuilt from it only when asked for). Columns must not change once scored.
 */
export class BackoffModel {
  private cols?: { tables: NGramTable[]; logProb: Float32Array[]; backoff: Float32Array[] };
  private probing?: ProbingIndex;
  private missing = 0;
  private unigramProb?: Float64Array;

  /**
   * `tables[n]` (n ≥ 2) holds the n-grams of order n; order-1 rows are word ids.
   * `logProb[n][row]` is log10 p*, `backoff[n][row]` log10 b (n < order).
   */
  constructor(
    readonly order: number,
    readonly vocab: NGramVocabulary,
    tables: NGramTable[],
    logProb: Float32Array[],
    backoff: Float32Array[],
    readonly info: ModelInfo,
  ) {
    this.cols = { tables, logProb, backoff };
  }

  /** A model whose n-grams come as a probing index (e.g. read from a binary file). */
  static fromIndex(vocab: NGramVocabulary, index: ProbingIndex, info: ModelInfo): BackoffModel {
    const model = new BackoffModel(index.order, vocab, [], [], [], info);
    model.cols = undefined;
    model.probing = index;
    model.missing = index.missingContextBackoff;
    return model;
  }

  /** Per-order n-gram tables (rows); rebuilt from the index when the model was loaded as one. */
  get tables(): NGramTable[] {
    return this.columns().tables;
  }

  /** Per-order log10 probabilities by row. */
  get logProb(): Float32Array[] {
    return this.columns().logProb;
  }

  /** Per-order log10 backoffs by row (orders below the top). */
  get backoff(): Float32Array[] {
    return this.columns().backoff;
  }

  /** The scoring index (built from the columns on first use). */
  get index(): ProbingIndex {
    if (!this.probing) {
      this.probing = ProbingIndex.fromColumns(this.order, this.columnArrays());
      this.probing.missingContextBackoff = this.missing;
    }
    return this.probing;
  }

  /**
   * The index's parts for writing: its arrays when it exists, else the same bytes produced one order at
   * a time from the columns (so writing a freshly estimated model needs no second copy of it in memory).
   */
  indexParts(): { layout: ProbingLayout; unigram: Float32Array; slots: Iterable<Int32Array> } {
    if (this.probing) {
      const { layout, unigram, slots } = this.probing;
      return { layout, unigram, slots: [slots] };
    }
    const cols = this.columnArrays();
    const layout = ProbingIndex.layoutOf(this.order, cols);
    return {
      layout,
      unigram: ProbingIndex.unigramsOf(this.order, cols),
      slots: ProbingIndex.slotBlocks(this.order, cols, layout),
    };
  }

  private columnArrays(): Columns {
    const { tables, logProb, backoff } = this.columns();
    const prefix = tables.map((t, n) => (n >= 2 ? t.prefix : new Int32Array(0)));
    const word = tables.map((t, n) => (n >= 2 ? t.word : new Int32Array(0)));
    return { prefix, word, logProb, backoff };
  }

  /** log10 of the backoff charged per unseen context (0 except for stupid backoff). */
  get missingContextBackoff(): number {
    return this.missing;
  }

  set missingContextBackoff(value: number) {
    this.missing = value;
    if (this.probing) this.probing.missingContextBackoff = value;
  }

  /** Length of the n-gram matched by the last call to `score`. */
  get lastMatched(): number {
    return this.index.lastMatched;
  }

  /** Number of stored n-grams of order n. */
  size(n: number): number {
    if (n === 1) return this.vocab.size;
    return this.cols ? this.cols.tables[n].size : (this.probing as ProbingIndex).layout.sizes[n - 1];
  }

  /** A state holding only `<s>`, where every sentence starts (reusing `out` when given). */
  beginSentence(out?: ScoreState): ScoreState {
    return this.index.stateAfter(BOS, out);
  }

  /**
   * Returns log10 p(w | state) for word id `w` and writes the state after it into `out` (may be
   * `state`); the length of the n-gram that matched is left in `lastMatched`.
   */
  score(state: ScoreState, w: number, out: ScoreState): number {
    return this.index.score(state, w, out);
  }

  /** Moves `state` past word `w` without scoring it (e.g. past `<s>` or a prompt). */
  advance(state: ScoreState, w: number, out: ScoreState): void {
    this.index.score(state, w, out);
  }

  /**
   * log10 p(ids[last] | ids[0..last)) read straight from the columns (no index; slow). For checks, and for
   * parsers that need a score while the model is still being filled.
   */
  scoreNgram(ids: readonly number[]): number {
    const { tables, logProb, backoff } = this.columns();
    const k = ids.length;
    const w = ids[k - 1];
    const len = Math.min(k - 1, this.order - 1);
    // rowOf(j): row of the last j words before w, or -1 when not stored.
    const rowOf = (j: number): number => {
      let row = ids[k - 1 - j];
      for (let i = 1; i < j && row >= 0; i++) row = tables[i + 1].find(row, ids[k - 1 - j + i]);
      return row;
    };
    let log10p = logProb[1][w];
    let matched = 1;
    for (let j = 1; j <= len; j++) {
      const ctx = rowOf(j);
      if (ctx < 0) break;
      const r = tables[j + 1].find(ctx, w);
      if (r < 0) break;
      log10p = logProb[j + 1][r];
      matched = j + 1;
    }
    for (let j = matched; j <= len; j++) {
      const ctx = rowOf(j);
      log10p += ctx >= 0 ? backoff[j][ctx] : this.missing;
    }
    return log10p;
  }

  /** The next-word distribution after `state` (linear probabilities over the vocabulary, `<s>` at 0). */
  distribution(state: ScoreState, out: Float64Array): Float64Array {
    return this.index.distribution(state, out, this.unigramProbabilities(), BOS);
  }

  /** Unigram probabilities (linear, `<s>` at 0), computed once. */
  unigramProbabilities(): Float64Array {
    if (!this.unigramProb) {
      const u = this.index.unigram;
      const p = new Float64Array(this.vocab.size);
      for (let w = 0; w < p.length; w++) p[w] = Math.pow(10, u[2 * w]);
      p[BOS] = 0;
      this.unigramProb = p;
    }
    return this.unigramProb;
  }

  /** The column form, rebuilt from the index when the model was loaded as one. */
  private columns(): { tables: NGramTable[]; logProb: Float32Array[]; backoff: Float32Array[] } {
    if (!this.cols) {
      const c = (this.probing as ProbingIndex).toColumns();
      const tables = [new NGramTable(1), new NGramTable(1)];
      for (let n = 2; n <= this.order; n++) {
        const t = new NGramTable(c.word[n].length);
        for (let r = 0; r < c.word[n].length; r++) t.findOrInsert(c.prefix[n][r], c.word[n][r]);
        tables.push(t);
      }
      this.cols = { tables, logProb: c.logProb, backoff: c.backoff };
    }
    return this.cols;
  }
}
