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
}

export interface CountOptions {
  /** Replace `<s>`, `</s>`, `<unk>` found in the text by nothing (KenLM's --skip_symbols) instead of failing. */
  skipSymbols?: boolean;
  /** Count `<unk>` in the text as the unknown-word token (text whose rare words were already replaced). */
  unkInText?: boolean;
}

/** Counts the n-grams of orders 1..order in sentences given as arrays of tokens. */
export function countNGrams(
  sentences: Iterable<readonly string[]>,
  order: number,
  options: CountOptions = {},
): NGramCounts {
  if (!Number.isInteger(order) || order < 1)
    throw new LmkitError(`n-gram order must be a whole number ≥ 1 (got ${order})`);
  const vocab = new NGramVocabulary();
  const tables: NGramTable[] = [];
  const counts: GrowableInt32[] = [];
  for (let n = 0; n <= order; n++) {
    tables.push(new NGramTable(n >= 2 ? 1 << 16 : 16));
    counts.push(new GrowableInt32());
  }
  let ids = new Int32Array(256);
  let lineNo = 0;
  for (const tokens of sentences) {
    lineNo++;
    if (ids.length < tokens.length + 2) ids = new Int32Array(tokens.length * 2 + 2);
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
      ids[len++] = vocab.add(t);
    }
    ids[len++] = EOS;
    countSentence(ids, len, order, tables, counts);
  }
  const out: Int32Array[] = [new Int32Array(0)];
  out.push(fit(counts[1].data, vocab.size));
  for (let n = 2; n <= order; n++) {
    tables[n].compact();
    out.push(fit(counts[n].data, tables[n].size));
  }
  return { order, vocab, tables, counts: out };
}

/** Adds the n-grams of one padded sentence ids[0..len) (ids[0] = <s>) to the counts. */
function countSentence(
  ids: Int32Array,
  len: number,
  order: number,
  tables: NGramTable[],
  counts: GrowableInt32[],
): void {
  for (let i = 0; i < len; i++) {
    let row = ids[i];
    counts[1].add(row, 1);
    const end = Math.min(len, i + order);
    for (let j = i + 1, n = 2; j < end; j++, n++) {
      row = tables[n].findOrInsert(row, ids[j]);
      counts[n].add(row, 1);
    }
  }
}

function fit(data: Int32Array, size: number): Int32Array {
  if (data.length === size) return data;
  const out = new Int32Array(size);
  out.set(data.subarray(0, Math.min(size, data.length)));
  return out;
}
