/**
 * A word2vec training corpus: sentences read once, each token counted, words under min-count dropped
 * (as word2vec.c and gensim drop them before windows are formed), and the rest stored as ids of a
 * vocabulary sorted by descending frequency. Input: batches of sentences. Output: {@link Word2VecCorpus}.
 */
import { LmkitError } from '../errors.js';

/** How a sentence is cut into tokens: whitespace-separated words, or characters (for unsegmented Chinese). */
export type TokenLevel = 'word' | 'char';

/** Longest sentence trained as one (gensim's MAX_WORDS_IN_BATCH); longer ones are cut into pieces. */
export const MAX_SENTENCE_TOKENS = 10000;

/** The vocabulary and the corpus as ids. */
export interface Word2VecCorpus {
  /** Words by id, most frequent first (ties: first seen first). */
  words: string[];
  /** Occurrences of each word in the corpus. */
  counts: Float64Array;
  /** Every kept token's id, sentence after sentence. (N) */
  ids: Int32Array;
  /** Where each sentence starts in `ids`, plus the end. (S+1) */
  sentenceStarts: Int32Array;
  /** Tokens read, including those dropped by min-count. */
  rawTokens: number;
  /** Distinct tokens read, including those dropped by min-count. */
  rawTypes: number;
}

/** Splits one sentence into tokens at the given level. */
export function tokensOf(sentence: string, level: TokenLevel): string[] {
  if (level === 'word') return sentence.split(/\s+/).filter((t) => t);
  const out: string[] = [];
  for (const ch of sentence) if (!/\s/.test(ch)) out.push(ch);
  return out;
}

/** Grows an Int32Array as values are pushed. */
class IntList {
  data = new Int32Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/**
 * Reads sentence batches into a corpus, keeping words that occur at least `minCount` times. Errors name
 * what to change: an empty corpus, a vocabulary emptied by min-count, a corpus of fewer than two tokens.
 */
export async function buildCorpus(
  batches: AsyncIterable<string[]> | Iterable<string[]>,
  o: { level: TokenLevel; minCount: number; source: string },
): Promise<Word2VecCorpus> {
  const firstId = new Map<string, number>();
  const seen: string[] = [];
  const seenCounts = new IntList();
  const raw = new IntList();
  const rawStarts = new IntList();
  for await (const batch of batches) {
    for (const sentence of batch) {
      const tokens = tokensOf(sentence, o.level);
      if (!tokens.length) continue;
      rawStarts.push(raw.length);
      for (const t of tokens) {
        let id = firstId.get(t);
        if (id === undefined) {
          id = seen.length;
          firstId.set(t, id);
          seen.push(t);
          seenCounts.push(0);
        }
        seenCounts.data[id]++;
        raw.push(id);
      }
    }
  }
  rawStarts.push(raw.length);
  const unit = o.level === 'word' ? 'word' : 'character';
  if (raw.length === 0)
    throw new LmkitError(`${o.source} holds no ${unit}s to train on`, { hint: 'give a non-empty corpus' });
  if (seen.length < 2)
    throw new LmkitError(
      `${o.source} holds one distinct ${unit} (${JSON.stringify(seen[0])}); word2vec needs at least two to learn from`,
      { hint: 'give a larger corpus' },
    );

  // the vocabulary: words with count >= minCount, by descending count, ties in order of first sight
  const kept: number[] = [];
  let maxCount = 0;
  for (let i = 0; i < seen.length; i++) {
    maxCount = Math.max(maxCount, seenCounts.data[i]);
    if (seenCounts.data[i] >= o.minCount) kept.push(i);
  }
  if (!kept.length)
    throw new LmkitError(
      `no ${unit} of ${o.source} occurs --min-count ${o.minCount} times (${seen.length} distinct ${unit}s, the most frequent occurs ${maxCount} times)`,
      { hint: `lower --min-count to at most ${maxCount}` },
    );
  if (kept.length < 2)
    throw new LmkitError(
      `only one ${unit} of ${o.source} (${JSON.stringify(seen[kept[0]])}) occurs --min-count ${o.minCount} times; word2vec needs at least two`,
      { hint: 'lower --min-count or give a larger corpus' },
    );
  kept.sort((a, b) => seenCounts.data[b] - seenCounts.data[a] || a - b);
  const remap = new Int32Array(seen.length).fill(-1);
  kept.forEach((old, id) => (remap[old] = id));

  // the corpus in vocabulary ids; sentences longer than MAX_SENTENCE_TOKENS are cut into pieces
  const ids = new IntList();
  const starts = new IntList();
  for (let s = 0; s + 1 < rawStarts.length; s++) {
    let open = false;
    let inPiece = 0;
    for (let k = rawStarts.data[s]; k < rawStarts.data[s + 1]; k++) {
      const id = remap[raw.data[k]];
      if (id < 0) continue;
      if (!open || inPiece === MAX_SENTENCE_TOKENS) {
        starts.push(ids.length);
        open = true;
        inPiece = 0;
      }
      ids.push(id);
      inPiece++;
    }
  }
  starts.push(ids.length);
  const counts = new Float64Array(kept.length);
  kept.forEach((old, id) => (counts[id] = seenCounts.data[old]));
  return {
    words: kept.map((old) => seen[old]),
    counts,
    ids: ids.data.slice(0, ids.length),
    sentenceStarts: starts.data.slice(0, starts.length),
    rawTokens: raw.length,
    rawTypes: seen.length,
  };
}
