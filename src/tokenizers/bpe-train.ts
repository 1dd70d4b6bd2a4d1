/**
 * Learning byte-level BPE merges from a corpus (Sennrich et al. 2016): count the GPT-2 pre-tokens
 * (words) of the corpus, start every word as its bytes, then repeatedly merge the most frequent
 * adjacent pair of tokens into a new token, until the vocabulary is full or no pair is frequent enough.
 *
 * Each merge touches only the words that contain its pair: an index maps every pair to the words
 * where it occurs, pair counts are updated where the merge changes a word (the pairs around each
 * joined occurrence), and a max-heap of (count, pair) with lazy deletion picks the next pair, so
 * there is no recount of the corpus per merge.
 *
 * Ties: among pairs of equal count, the pair with the smallest left token id wins, then the smallest
 * right token id. Byte tokens have GPT-2's ids (ASCII letters in alphabetical order), and merged
 * tokens get ids in the order they are made, so training is deterministic.
 */
import { LmkitError } from '../errors.js';
import { BPETokenizer, byteTokens, END_OF_TEXT, type Merge } from './bpe.js';
import { BYTE_ORDER, utf8 } from './bpe-bytes.js';
import { MAX_TOKEN_ID } from './bpe-merge.js';
import { preTokenEnd, specialTokenPattern, splitSpecial } from './bpe-pretokenize.js';
import { WordTable } from './bpe-word-table.js';

/** Options of {@link trainBPE}. */
export interface BPETrainOptions {
  /** Target vocabulary size: 256 byte tokens + merges + special tokens. */
  vocabSize: number;
  /** Special tokens, given the last ids in this order (default `<|endoftext|>`); never part of a word. */
  specialTokens?: readonly string[];
  /** Merge a pair only when it occurs at least this often in the corpus (default 2). */
  minFrequency?: number;
}

/** Counts the GPT-2 pre-tokens of `texts`; occurrences of `specialTokens` are cut out first. */
export function countWords(
  texts: Iterable<string>,
  specialTokens: readonly string[] = [],
): Map<string, number> {
  const pattern = specialTokenPattern(specialTokens);
  const words = new WordTable();
  const counts: number[] = [];
  for (const text of texts) {
    for (const { text: segment, special } of splitSpecial(text, pattern)) {
      if (special) continue;
      for (let start = 0; start < segment.length;) {
        const end = preTokenEnd(segment, start);
        const hash = WordTable.hash(segment, start, end);
        const index = words.find(segment, start, end, hash);
        if (index >= 0) counts[index]++;
        else counts[words.insert(segment.slice(start, end), hash)] = 1;
        start = end;
      }
    }
  }
  return new Map(counts.map((c, i) => [words.word(i), c]));
}

/** Learns a byte-level BPE tokenizer from `texts`. */
export function trainBPE(texts: Iterable<string>, opts: BPETrainOptions): BPETokenizer {
  const specials = [...(opts.specialTokens ?? [END_OF_TEXT])];
  if (new Set(specials).size !== specials.length) throw new LmkitError('special tokens must be distinct');
  const minFrequency = opts.minFrequency ?? 2;
  if (!(Number.isInteger(minFrequency) && minFrequency >= 1))
    throw new LmkitError(`the minimum pair frequency must be a whole number ≥ 1 (got ${minFrequency})`);
  const maxRegular = opts.vocabSize - specials.length;
  if (!(Number.isInteger(opts.vocabSize) && maxRegular >= 256 && opts.vocabSize <= MAX_TOKEN_ID))
    throw new LmkitError(
      `the vocabulary size must be a whole number from ${256 + specials.length} (256 bytes + ${specials.length} special tokens) to ${MAX_TOKEN_ID} (got ${opts.vocabSize})`,
    );
  const { tokens, merges } = learnMerges(countWords(texts, specials), maxRegular, minFrequency);
  return new BPETokenizer([...tokens, ...specials], merges, specials);
}

const M = MAX_TOKEN_ID;

/** Words as token ids in one flat buffer: word w is sym[start[w] .. start[w] + len[w]), seen count[w] times. */
interface Words {
  sym: Int32Array;
  start: Int32Array;
  len: Int32Array;
  count: Float64Array;
}

function toWords(counts: Map<string, number>): Words {
  const idOfByte = new Int32Array(256);
  BYTE_ORDER.forEach((b, id) => (idOfByte[b] = id));
  const encoded = [...counts.keys()].map(utf8);
  const start = new Int32Array(encoded.length);
  const len = new Int32Array(encoded.length);
  let total = 0;
  encoded.forEach((bytes, w) => {
    start[w] = total;
    len[w] = bytes.length;
    total += bytes.length;
  });
  const sym = new Int32Array(total);
  encoded.forEach((bytes, w) => bytes.forEach((b, i) => (sym[start[w] + i] = idOfByte[b])));
  return { sym, start, len, count: Float64Array.from(counts.values()) };
}

function learnMerges(
  wordCounts: Map<string, number>,
  maxTokens: number,
  minFrequency: number,
): { tokens: string[]; merges: Merge[] } {
  const tokens = byteTokens();
  const idOf = new Map(tokens.map((t, id) => [t, id]));
  const merges: Merge[] = [];
  const { sym, start, len, count } = toWords(wordCounts);
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, number[]>();
  const queue = new PairQueue();
  const addWord = (key: number, w: number) => {
    const list = pairWords.get(key);
    if (list === undefined) pairWords.set(key, [w]);
    else if (list[list.length - 1] !== w) list.push(w);
  };

  for (let w = 0; w < len.length; w++) {
    for (let i = start[w]; i + 1 < start[w] + len[w]; i++) {
      const key = sym[i] * M + sym[i + 1];
      pairCount.set(key, (pairCount.get(key) ?? 0) + count[w]);
      addWord(key, w);
    }
  }
  for (const [key, c] of pairCount) queue.push(c, key);

  const touched = new Set<number>();
  const seen = new Int32Array(len.length).fill(-1);
  const dec = (left: number, right: number, c: number) => {
    const key = left * M + right;
    const rest = (pairCount.get(key) as number) - c;
    if (rest > 0) pairCount.set(key, rest);
    else {
      pairCount.delete(key);
      pairWords.delete(key);
    }
  };
  const inc = (left: number, right: number, c: number, w: number) => {
    const key = left * M + right;
    pairCount.set(key, (pairCount.get(key) ?? 0) + c);
    addWord(key, w);
    touched.add(key);
  };

  while (tokens.length < maxTokens) {
    const best = nextPair(queue, pairCount);
    if (best === undefined || best.count < minFrequency) break;
    const a = Math.floor(best.key / M);
    const b = best.key % M;
    const text = tokens[a] + tokens[b];
    let merged = idOf.get(text);
    if (merged === undefined) {
      merged = tokens.length;
      tokens.push(text);
      idOf.set(text, merged);
    }
    merges.push([tokens[a], tokens[b]]);
    const mergeIndex = merges.length;
    const words = pairWords.get(best.key) as number[];
    pairCount.delete(best.key);
    pairWords.delete(best.key);
    touched.clear();
    for (const w of words) {
      if (seen[w] === mergeIndex) continue;
      seen[w] = mergeIndex;
      const s = start[w];
      const e = s + len[w];
      const c = count[w];
      let out = s;
      for (let r = s; r < e;) {
        if (r + 1 < e && sym[r] === a && sym[r + 1] === b) {
          // The pairs around this occurrence change; the pair (a, b) itself is gone altogether.
          if (out > s) {
            if (sym[out - 1] * M + a !== best.key) dec(sym[out - 1], a, c);
            inc(sym[out - 1], merged, c, w);
          }
          if (r + 2 < e) {
            if (b * M + sym[r + 2] !== best.key) dec(b, sym[r + 2], c);
            inc(merged, sym[r + 2], c, w);
          }
          sym[out++] = merged;
          r += 2;
        } else sym[out++] = sym[r++];
      }
      len[w] = out - s;
    }
    for (const key of touched) {
      const c = pairCount.get(key);
      if (c !== undefined) queue.push(c, key);
    }
  }
  return { tokens, merges };
}

/** The most frequent pair still in the corpus, skipping stale queue entries. */
function nextPair(
  queue: PairQueue,
  pairCount: Map<number, number>,
): { count: number; key: number } | undefined {
  while (queue.size > 0) {
    const top = queue.pop();
    const current = pairCount.get(top.key);
    if (current === top.count) return top;
    // A count only falls without a new queue entry, so an entry above the current count is re-queued.
    if (current !== undefined && current < top.count) queue.push(current, top.key);
  }
  return undefined;
}

/** A max-heap of (count, pair key): higher count first, then the smaller key (left id, then right id). */
class PairQueue {
  private counts: number[] = [];
  private keys: number[] = [];

  get size(): number {
    return this.counts.length;
  }

  push(count: number, key: number): void {
    const { counts, keys } = this;
    let i = counts.length;
    counts.push(count);
    keys.push(key);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(count, key, counts[p], keys[p])) break;
      counts[i] = counts[p];
      keys[i] = keys[p];
      i = p;
    }
    counts[i] = count;
    keys[i] = key;
  }

  pop(): { count: number; key: number } {
    const { counts, keys } = this;
    const top = { count: counts[0], key: keys[0] };
    const count = counts.pop() as number;
    const key = keys.pop() as number;
    const n = counts.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && before(counts[c + 1], keys[c + 1], counts[c], keys[c])) c++;
      if (!before(counts[c], keys[c], count, key)) break;
      counts[i] = counts[c];
      keys[i] = keys[c];
      i = c;
    }
    counts[i] = count;
    keys[i] = key;
    return top;
  }
}

function before(countA: number, keyA: number, countB: number, keyB: number): boolean {
  return countA > countB || (countA === countB && keyA < keyB);
}
