/**
 * Step 1 of estimation (KenLM's corpus_count): every sentence becomes `<s> w1 … wk </s>` and every
 * substring of length 1..N in which `<s>` can only come first is counted. This equals KenLM's padding
 * with N−1 `<s>` and collapsing n-grams at the last `<s>`.
 */
import { LmkitError } from '../errors.js';
import { GrowableInt32, NGramTable } from './ngram-table.js';
import { BOS, BOS_WORD, EOS, EOS_WORD, NGramVocabulary, UNK, UNK_WORD } from './vocabulary.js';

/** Raw counts of every n-gram of orders 1..N. Row r of order 1 is word id r. */
export interface NGramCounts {
  order: number;
  vocab: NGramVocabulary;
  /** tables[n] holds the n-grams of order n for n >= 2 (tables[0] and tables[1] are unused). */
  tables: NGramTable[];
  /** counts[n][row] = raw count c(g) of the n-gram in that row (counts[1] is indexed by word id). */
  counts: Int32Array[];
  /** suffix[n][row] = row (order n−1) of w2..wn, for n ≥ 2: the edge Kneser-Ney's continuation counts follow. */
  suffix: Int32Array[];
}

export interface CountOptions {
  /** Replace `<s>`, `</s>`, `<unk>` found in the text by nothing (KenLM's --skip_symbols) instead of failing. */
  skipSymbols?: boolean;
  /** Count `<unk>` in the text as the unknown-word token (text whose rare words were already replaced). */
  unkInText?: boolean;
  /** Called every 1024 sentences with the number counted so far. */
  onProgress?: (sentences: number) => void;
}

/** Counts the n-grams of orders 1..order in sentences given as arrays of tokens. */
export function countNGrams(
  sentences: Iterable<readonly string[]>,
  order: number,
  options: CountOptions = {},
): NGramCounts {
  const counter = new NGramCounter(order, options);
  for (const tokens of sentences) counter.add(tokens);
  return counter.finish();
}

/** Counts n-grams one sentence at a time, so sentences can be counted as they are read and then dropped. */
export class NGramCounter {
  private readonly vocab = new NGramVocabulary();
  private readonly tables: NGramTable[] = [];
  private readonly counts: GrowableInt32[] = [];
  private readonly suffix: GrowableInt32[] = [];
  private ids = new Int32Array(256);
  private readonly chain: Int32Array[];
  /** Sentences counted so far. */
  sentences = 0;

  /** A counter of the n-grams of orders 1..order. */
  constructor(
    private readonly order: number,
    private readonly options: CountOptions = {},
  ) {
    if (!Number.isInteger(order) || order < 1)
      throw new LmkitError(`n-gram order must be a whole number ≥ 1 (got ${order})`);
    for (let n = 0; n <= order; n++) {
      // Tables start small and double as they fill: presizing for the worst case costs more in page
      // faults on first touch than the rehashes it saves.
      this.tables.push(new NGramTable(n >= 2 ? 1 << 14 : 16));
      this.counts.push(new GrowableInt32(n >= 2 ? 1 << 14 : 1024));
      this.suffix.push(new GrowableInt32(n >= 2 ? 1 << 14 : 0));
    }
    this.chain = [new Int32Array(order + 1), new Int32Array(order + 1)];
  }

  /** Counts one sentence, given as its tokens. */
  add(tokens: readonly string[]): void {
    const { options } = this;
    const lineNo = ++this.sentences;
    if (this.ids.length < tokens.length + 2) this.ids = new Int32Array(tokens.length * 2 + 2);
    const ids = this.ids;
    let len = 0;
    ids[len++] = BOS;
    for (const t of tokens) {
      if (t === UNK_WORD && options.unkInText) {
        ids[len++] = UNK;
        continue;
      }
      if (t === BOS_WORD || t === EOS_WORD || t === UNK_WORD) {
        if (options.skipSymbols) continue;
        throw new LmkitError(`line ${lineNo} contains the reserved token ${t}`, {
          hint: 'remove it from the text, or pass --skip-symbols to drop such tokens',
        });
      }
      ids[len++] = this.vocab.add(t);
    }
    ids[len++] = EOS;
    countSentence(ids, len, this.order, this.tables, this.counts, this.suffix, this.chain);
    if ((lineNo & 1023) === 0) options.onProgress?.(lineNo);
  }

  /** The counts of every sentence added (the counter is not to be used afterwards). */
  finish(): NGramCounts {
    const { order, tables, counts, suffix, vocab } = this;
    const out: Int32Array[] = [new Int32Array(0), fit(counts[1].data, vocab.size)];
    const suffixOut: Int32Array[] = [new Int32Array(0), new Int32Array(0)];
    for (let n = 2; n <= order; n++) {
      tables[n].compact();
      out.push(fit(counts[n].data, tables[n].size));
      suffixOut.push(fit(suffix[n].data, tables[n].size));
    }
    return { order, vocab, tables, counts: out, suffix: suffixOut };
  }
}

/**
 * Adds the n-grams of one padded sentence ids[0..len) (ids[0] = <s>) to the counts. Start positions
 * are walked right to left, so the (n−1)-gram starting one position later, the suffix of each n-gram,
 * has just been found: `chain` holds those rows.
 */
function countSentence(
  ids: Int32Array,
  len: number,
  order: number,
  tables: NGramTable[],
  counts: GrowableInt32[],
  suffix: GrowableInt32[],
  chain: Int32Array[],
): void {
  let later = chain[0]; // rows of the n-grams starting at i + 1
  let here = chain[1]; // rows of the n-grams starting at i
  for (let i = len - 1; i >= 0; i--) {
    let row = ids[i];
    here[1] = row;
    counts[1].add(row, 1);
    const end = Math.min(len, i + order);
    for (let j = i + 1, n = 2; j < end; j++, n++) {
      row = tables[n].findOrInsert(row, ids[j]);
      here[n] = row;
      counts[n].add(row, 1);
      suffix[n].set(row, later[n - 1]);
    }
    const t = later;
    later = here;
    here = t;
  }
}

function fit(data: Int32Array, size: number): Int32Array {
  if (data.length === size) return data;
  const out = new Int32Array(size);
  out.set(data.subarray(0, Math.min(size, data.length)));
  return out;
}
