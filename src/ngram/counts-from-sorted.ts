/**
 * From the padded N-grams in suffix order (with their counts) to the counts of every order, in one pass,
 * as lmplz's adjust_counts walks its sorted stream. A record is the N words ending at one position of
 * `<s>^(N−1) <s> w1 … wk </s>`; its suffixes of length 1..valid (those with `<s>` only first) are the
 * n-grams ending there, and the raw count of an n-gram is the sum of the counts of the records it ends.
 * In suffix order the records sharing an n-gram are adjacent, so each n-gram is complete when the suffix
 * changes, and its (n−1)-gram suffix is the one of order n−1 still open (rows of each order come out in
 * suffix order, which is also order by (suffix row, first word)).
 *
 * Prefix rows (w1 … w(n−1)) follow: the prefix of g is (first word of g, prefix of g's suffix), looked up
 * in order n−1 among the rows with that suffix row (adjacent, sorted by first word).
 */
import type { NGramCounts } from './corpus-count.js';
import { NGramTable } from './ngram-table.js';
import { BOS, type NGramVocabulary } from './vocabulary.js';

/** A growable Int32 column. */
class Column {
  data = new Int32Array(1024);
  size = 0;
  push(v: number): void {
    if (this.size === this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.size++] = v;
  }
  take(): Int32Array {
    const d = this.data.length === this.size ? this.data : this.data.slice(0, this.size);
    this.data = new Int32Array(0);
    return d;
  }
}

/** Builds {@link NGramCounts} from suffix-sorted padded N-gram records given block by block. */
export class SortedCountsBuilder {
  private readonly prev: Int32Array;
  /** Orders 1..prevValid of the previous record are open n-grams. */
  private prevValid = 0;
  private readonly raw: Float64Array;
  private readonly first: Column[] = [];
  private readonly suffix: Column[] = [];
  private readonly counts: Column[] = [];
  private readonly unigrams: Float64Array[] = [new Float64Array(1024)];

  /** A builder for records of `order` words. */
  constructor(private readonly order: number) {
    this.prev = new Int32Array(order);
    this.raw = new Float64Array(order + 1);
    for (let n = 0; n <= order; n++) {
      this.first.push(new Column());
      this.suffix.push(new Column());
      this.counts.push(new Column());
    }
  }

  /** Takes m records from `block` (stride order + 1: the words, then the count). */
  add(block: Int32Array, m: number): void {
    const N = this.order;
    const stride = N + 1;
    const prev = this.prev;
    const raw = this.raw;
    for (let i = 0, at = 0; i < m; i++, at += stride) {
      // valid: longest suffix with <s> at most first (padding <s> form a prefix of the record).
      let lastBos = -1;
      for (let p = N - 1; p >= 0; p--) {
        if (block[at + p] === BOS) {
          lastBos = p;
          break;
        }
      }
      const valid = Math.min(N, N - lastBos);
      // common: length of the suffix shared with the previous record.
      let common = 0;
      if (this.prevValid > 0)
        while (common < N && block[at + N - 1 - common] === prev[N - 1 - common]) common++;
      for (let n = this.prevValid; n > common; n--) this.close(n);
      const c = block[at + N];
      for (let n = 1; n <= valid; n++) raw[n] = n <= common ? raw[n] + c : c;
      for (let p = 0; p < N; p++) prev[p] = block[at + p];
      this.prevValid = valid;
    }
  }

  /** The n-gram of order n ending the previous record is complete. */
  private close(n: number): void {
    const N = this.order;
    const prev = this.prev;
    if (n === 1) {
      const w = prev[N - 1];
      let u = this.unigrams[0];
      if (w >= u.length) {
        const g = new Float64Array(Math.max(w + 1, u.length * 2));
        g.set(u);
        this.unigrams[0] = u = g;
      }
      u[w] = this.raw[1];
      return;
    }
    this.first[n].push(prev[N - n]);
    // The suffix of order n−1 is still open: it gets the next row of its order (unigram rows are ids).
    this.suffix[n].push(n === 2 ? prev[N - 1] : this.counts[n - 1].size);
    this.counts[n].push(this.raw[n]);
  }

  /** The counts of every order; `sentences` is the raw count of the unigram `<s>`. */
  finish(vocab: NGramVocabulary, sentences: number): NGramCounts {
    const N = this.order;
    for (let n = this.prevValid; n >= 1; n--) this.close(n);
    this.prevValid = 0;
    const V = vocab.size;
    const unigram = new Int32Array(V);
    const u = this.unigrams[0];
    for (let w = 0; w < Math.min(V, u.length); w++) unigram[w] = u[w];
    unigram[BOS] = sentences;
    const tables: NGramTable[] = [new NGramTable(1), new NGramTable(1)];
    const counts: Int32Array[] = [new Int32Array(0), unigram];
    const suffixOut: Int32Array[] = [new Int32Array(0), new Int32Array(0)];
    let lowerFirst: Int32Array = new Int32Array(0);
    let lowerSuffix: Int32Array = new Int32Array(0);
    let lowerPrefix: Int32Array = new Int32Array(0);
    let lowerWord: Int32Array = new Int32Array(0);
    for (let n = 2; n <= N; n++) {
      const first = this.first[n].take();
      const suffix = this.suffix[n].take();
      const size = first.length;
      const prefix = new Int32Array(size);
      const word = new Int32Array(size);
      if (n === 2) {
        prefix.set(first);
        word.set(suffix);
      } else {
        // Rows of order n−1 with suffix row s lie in [begin[s], begin[s+1]), sorted by first word.
        const lowerRows = lowerFirst.length;
        const begin = new Int32Array((n === 3 ? V : counts[n - 2].length) + 1);
        for (let r = 0; r < lowerRows; r++) begin[lowerSuffix[r] + 1]++;
        for (let s = 1; s < begin.length; s++) begin[s] += begin[s - 1];
        for (let r = 0; r < size; r++) {
          const s = suffix[r];
          const w1 = first[r];
          const ps = lowerPrefix[s];
          let lo = begin[ps];
          let hi = begin[ps + 1] - 1;
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (lowerFirst[mid] < w1) lo = mid + 1;
            else hi = mid;
          }
          if (lo > hi || lowerFirst[lo] !== w1)
            throw new Error(`order ${n}: an n-gram's prefix is missing (a bug)`);
          prefix[r] = lo;
          word[r] = lowerWord[s];
        }
      }
      tables.push(NGramTable.fromRows(prefix, word));
      counts.push(this.counts[n].take());
      suffixOut.push(suffix);
      lowerFirst = first;
      lowerSuffix = suffix;
      lowerPrefix = prefix;
      lowerWord = word;
    }
    return { order: N, vocab, tables, counts, suffix: suffixOut };
  }
}
