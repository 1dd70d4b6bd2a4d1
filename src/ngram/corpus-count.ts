/**
 * Step 1 of estimation (KenLM's corpus_count): every sentence becomes `<s> w1 … wk </s>` and every
 * substring of length 1..N in which `<s>` can only come first is counted. As lmplz does, only the N-grams
 * of the sentence padded with N−1 more `<s>` are counted (one hash update per token, key = N word ids);
 * the lower orders are their suffixes (counts-from-sorted.ts). When the hash outgrows the memory allowed,
 * its entries are sorted into suffix order and spilled to a run on disk; the runs are merged at the end.
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { LmkitError } from '../errors.js';
import { makeTempDir, type TempDir } from '../util/temp-dir.js';
import { ByteWordIds } from './byte-word-ids.js';
import { SortedCountsBuilder } from './counts-from-sorted.js';
import type { NGramTable } from './ngram-table.js';
import { mergeRuns, reduceRuns, writeRun } from './sorted-runs.js';
import { sortSuffixOrder } from './suffix-sort.js';
import { tokenizeSentence } from './tokenize.js';
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
  /** Bytes the counts may take before they are spilled to disk (default: 80% of physical memory). */
  memoryBytes?: number;
  /** Folder for spilled runs (default the system's temporary folder). */
  tempDir?: string;
  /** Told when counting spills a run or merges them, e.g. to show it. */
  onSpill?: (event: { runs: number; merging?: boolean }) => void;
}

/** The least memory counting accepts: a few thousand n-grams and the read buffers of a merge. */
export const MIN_COUNT_MEMORY = 64 * 1024;

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
  private ids: Int32Array;
  private readonly budget: number;
  /** Hash slots of N + 1 int32s: the N word ids, then the count (0: empty), so one probe is one cache line. */
  private table: Int32Array;
  private mask: number;
  private entries = 0;
  private readonly runs: string[] = [];
  private temp?: TempDir;
  private byteIds?: ByteWordIds;
  /** Sentences counted so far. */
  sentences = 0;

  /** A counter of the n-grams of orders 1..order. */
  constructor(
    private readonly order: number,
    private readonly options: CountOptions = {},
  ) {
    if (!Number.isInteger(order) || order < 1)
      throw new LmkitError(`n-gram order must be a whole number ≥ 1 (got ${order})`);
    this.budget = options.memoryBytes ?? Infinity;
    if (this.budget < MIN_COUNT_MEMORY) {
      throw new LmkitError(
        `--memory ${options.memoryBytes} bytes is too small to count n-grams: at least ${MIN_COUNT_MEMORY / 1024}K is needed`,
        { hint: 'give --memory a larger size, e.g. --memory 1G' },
      );
    }
    if (options.tempDir !== undefined || options.memoryBytes !== undefined) this.tempFolder();
    const cap = Math.min(1 << 16, this.largestCapacity());
    this.table = new Int32Array(cap * (order + 1));
    this.mask = cap - 1;
    this.ids = new Int32Array(256 + order);
  }

  /** Bytes a table of `cap` slots takes while it is sorted: keys and counts, plus three row arrays. */
  private bytesFor(cap: number): number {
    return cap * (4 * (this.order + 1)) + 3 * Math.ceil(cap * MAX_LOAD) * 4;
  }

  /** Whether a table of `cap` slots fits the memory allowed (and a typed array: at most 2^30 int32s). */
  private fits(cap: number): boolean {
    return this.bytesFor(cap) <= this.budget && cap * (this.order + 1) <= 2 ** 30;
  }

  private largestCapacity(): number {
    let cap = 16;
    while (this.fits(cap * 2)) cap *= 2;
    return cap;
  }

  private tempFolder(): TempDir {
    this.temp ??= makeTempDir(this.options.tempDir ?? tmpdir(), 'lmkit-ngram-');
    return this.temp;
  }

  /** Counts one sentence, given as its tokens. */
  add(tokens: readonly string[]): void {
    const { order } = this;
    const lineNo = ++this.sentences;
    if (this.ids.length < tokens.length + order + 1) this.ids = new Int32Array(tokens.length * 2 + order + 1);
    const ids = this.ids;
    // <s> N−1 times as padding, then the sentence's own <s>: positions [0, order).
    let len = 0;
    while (len < order) ids[len++] = BOS;
    for (const t of tokens) {
      let id = this.vocab.add(t);
      if (id <= EOS && (id = this.special(id, lineNo)) < 0) continue;
      ids[len++] = id;
    }
    this.endSentence(len);
  }

  /**
   * Counts sentences at the word level (as `add(tokenizeSentence(s, 'word'))` for each) from their UTF-8
   * bytes, with no string per word: the fast path for large corpora.
   */
  addLines(sentences: readonly string[]): void {
    if (sentences.length > LINES_AT_ONCE) {
      for (let i = 0; i < sentences.length; i += LINES_AT_ONCE)
        this.addLines(sentences.slice(i, i + LINES_AT_ONCE));
      return;
    }
    for (const s of sentences) {
      if (s.includes('\n')) {
        // Not one line: the string path splits it as tokenizeSentence does.
        for (const x of sentences) this.add(tokenizeSentence(x, 'word'));
        return;
      }
    }
    const text = Buffer.from(sentences.join('\n') + '\n', 'utf8');
    const { order } = this;
    const words = (this.byteIds ??= new ByteWordIds(this.vocab));
    const n = text.length;
    let ids = this.ids;
    let len = order;
    ids.fill(BOS, 0, order);
    for (let i = 0; i < n;) {
      const c = text[i];
      if (c === 0x0a) {
        this.sentences++;
        this.endSentence(len);
        ids = this.ids;
        len = order;
        i++;
        continue;
      }
      if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x00) {
        i++;
        continue;
      }
      let j = i + 1;
      for (; j < n; j++) {
        const d = text[j];
        if (d === 0x20 || d === 0x0a || d === 0x09 || d === 0x0d || d === 0x00) break;
      }
      let id = words.idOf(text, i, j);
      i = j;
      if (id <= EOS && (id = this.special(id, this.sentences + 1)) < 0) continue;
      if (len + 1 >= ids.length) {
        const bigger = new Int32Array(ids.length * 2);
        bigger.set(ids);
        this.ids = ids = bigger;
      }
      ids[len++] = id;
    }
  }

  /** What a special word found in the text becomes: `<unk>` with unkInText, nothing (-1) when skipped. */
  private special(id: number, lineNo: number): number {
    const { options } = this;
    if (id === UNK && options.unkInText) return UNK;
    if (options.skipSymbols) return -1;
    throw new LmkitError(`line ${lineNo} contains the reserved token ${[UNK_WORD, BOS_WORD, EOS_WORD][id]}`, {
      hint: 'remove it from the text, or pass --skip-symbols to drop such tokens',
    });
  }

  /** Ends the sentence in ids[0, len) (after the padding): adds `</s>` and counts its N-grams. */
  private endSentence(len: number): void {
    const { order } = this;
    if (len + 1 > this.ids.length) {
      const bigger = new Int32Array(this.ids.length * 2);
      bigger.set(this.ids);
      this.ids = bigger;
    }
    const ids = this.ids;
    ids[len++] = EOS;
    for (let end = order; end < len; end++) this.insert(ids, end - order + 1);
    if ((this.sentences & 1023) === 0) this.options.onProgress?.(this.sentences);
  }

  /** Adds 1 to the count of the N-gram ids[at … at+N). */
  private insert(ids: Int32Array, at: number): void {
    const N = this.order;
    let h = 0x811c9dc5;
    for (let p = 0; p < N; p++) h = Math.imul(h ^ ids[at + p], 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    const table = this.table;
    const mask = this.mask;
    const stride = N + 1;
    let s = h & mask;
    for (;;) {
      const base = s * stride;
      if (table[base + N] === 0) break;
      let p = 0;
      while (p < N && table[base + p] === ids[at + p]) p++;
      if (p === N) {
        table[base + N]++;
        return;
      }
      s = (s + 1) & mask;
    }
    const base = s * stride;
    for (let p = 0; p < N; p++) table[base + p] = ids[at + p];
    table[base + N] = 1;
    if (++this.entries > (mask + 1) * MAX_LOAD) this.makeRoom();
  }

  /** The table is full: twice as large when the memory allows, else spilled to a run on disk. */
  private makeRoom(): void {
    const cap = this.mask + 1;
    if (this.fits(cap * 2)) {
      this.rehash(cap * 2);
      return;
    }
    const path = join(this.tempFolder().path, `run-${this.runs.length}`);
    try {
      writeRun(path, this.order, this.table, this.sortedSlots());
    } catch (err) {
      throw spillError(err, this.tempFolder().path);
    }
    this.runs.push(path);
    this.table.fill(0);
    this.entries = 0;
    this.options.onSpill?.({ runs: this.runs.length });
  }

  private rehash(cap: number): void {
    const N = this.order;
    const stride = N + 1;
    const old = this.table;
    const table = new Int32Array(cap * stride);
    const mask = cap - 1;
    for (let ob = 0; ob < old.length; ob += stride) {
      if (old[ob + N] === 0) continue;
      let h = 0x811c9dc5;
      for (let p = 0; p < N; p++) h = Math.imul(h ^ old[ob + p], 0x9e3779b1);
      h ^= h >>> 15;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      let s = h & mask;
      while (table[s * stride + N] !== 0) s = (s + 1) & mask;
      for (let p = 0, sb = s * stride; p <= N; p++) table[sb + p] = old[ob + p];
    }
    this.table = table;
    this.mask = mask;
  }

  /** The occupied slots in suffix order of their keys. */
  private sortedSlots(): Int32Array {
    const rows = new Int32Array(this.entries);
    let k = 0;
    const { table, order } = this;
    for (let s = 0, c = order; c < table.length; s++, c += order + 1) if (table[c] !== 0) rows[k++] = s;
    sortSuffixOrder(table, order, rows, this.vocab.size, order + 1);
    return rows;
  }

  /** The counts of every sentence added (the counter is not to be used afterwards). */
  finish(): NGramCounts {
    const N = this.order;
    const builder = new SortedCountsBuilder(N);
    try {
      if (this.runs.length === 0) {
        // Everything fit: one block straight from the table, no files.
        const rows = this.sortedSlots();
        const block = new Int32Array(rows.length * (N + 1));
        const table = this.table;
        for (let i = 0, at = 0; i < rows.length; i++) {
          for (let p = 0, sb = rows[i] * (N + 1); p <= N; p++) block[at++] = table[sb + p];
        }
        this.drop();
        builder.add(block, rows.length);
      } else {
        if (this.entries > 0) this.makeRoomBySpilling();
        this.drop();
        const dir = this.tempFolder().path;
        // Each run being merged reads through a buffer; as many runs at once as the memory allows.
        const bufferBytes = Math.max(4096, Math.min(1 << 20, Math.floor(this.budget / 16)));
        const bufferRecords = Math.max(1, Math.floor(bufferBytes / (4 * (N + 1))));
        const fanIn = Math.max(2, Math.min(64, Math.floor(this.budget / bufferBytes) - 1));
        this.options.onSpill?.({ runs: this.runs.length, merging: true });
        let next = this.runs.length;
        let runs: string[];
        try {
          runs = reduceRuns(this.runs, N, fanIn, bufferRecords, dir, () => `run-${next++}`);
        } catch (err) {
          throw spillError(err, dir);
        }
        mergeRuns(runs, N, bufferRecords, (block, m) => builder.add(block, m));
      }
    } finally {
      this.temp?.remove();
      this.temp = undefined;
    }
    return builder.finish(this.vocab, this.sentences);
  }

  /** Spills what the table holds now (at the end, when earlier runs exist). */
  private makeRoomBySpilling(): void {
    const path = join(this.tempFolder().path, `run-${this.runs.length}`);
    try {
      writeRun(path, this.order, this.table, this.sortedSlots());
    } catch (err) {
      throw spillError(err, this.tempFolder().path);
    }
    this.runs.push(path);
    this.options.onSpill?.({ runs: this.runs.length });
  }

  private drop(): void {
    this.table = new Int32Array(0);
    this.mask = 0;
    this.entries = 0;
  }

  /** Deletes spilled runs without finishing (e.g. after an error while reading). */
  dispose(): void {
    this.temp?.remove();
    this.temp = undefined;
  }
}

const MAX_LOAD = 0.7;
/** Sentences encoded to bytes together by addLines. */
const LINES_AT_ONCE = 8192;

function spillError(err: unknown, dir: string): LmkitError {
  const e = err as NodeJS.ErrnoException;
  if (e instanceof LmkitError) return e;
  return new LmkitError(
    `cannot write spilled counts in ${dir}: ${e.code === 'ENOSPC' ? 'the disk is full' : e.message}`,
    {
      hint: 'pass --temp DIR naming a folder with more room, or a larger --memory',
      cause: err,
    },
  );
}
