/**
 * The scoring form of a backoff model, after KenLM's probing structure: each order n ≥ 2 is one
 * open-addressing hash whose slots hold key and values side by side,
 *
 *   [parent, word, log10 p, log10 backoff]   (stride 4, orders below the top)
 *   [parent, word, log10 p]                  (stride 3, the top order)
 *
 * where `parent` is where the n-gram's first n−1 words sit one order down: their word id for n = 2, else
 * the offset of their slot in `slots` (all orders share one Int32Array, order n from `base[n]`). An empty
 * slot has word −1. Order 1 is [log10 p, log10 backoff] per word id.
 *
 * One probe fetches everything a lookup needs, and a scoring state carries the slots and backoffs of its
 * contexts, so scoring a word reads no other array, and the lookups of all orders for it are independent
 * (their cache misses overlap). The same arrays are the binary file's body (format version 3).
 */
import { pairHash } from './ngram-table.js';

const MAX_LOAD = 0.75;
const EMPTY = -1;

/** Scoring state: where the stored contexts ending at the last word are, and their backoffs. */
export class ScoreState {
  /**
   * ctx[j] (j = 1..N−1) locates the last j words as a stored j-gram: the word id for j = 1, the slot
   * offset for j ≥ 2; −1 when those words are not stored.
   */
  readonly ctx: Int32Array;
  /** backoffs[j] = log10 backoff of the j-gram at ctx[j] (when stored). */
  readonly backoffs: Float64Array;
  /** Number of history words available (≤ N−1). */
  len = 0;

  constructor(order: number) {
    this.ctx = new Int32Array(Math.max(1, order)).fill(-1);
    this.backoffs = new Float64Array(Math.max(1, order));
  }

  /** Copies another state into this one. */
  copyFrom(other: ScoreState): void {
    this.ctx.set(other.ctx);
    this.backoffs.set(other.backoffs);
    this.len = other.len;
  }
}

/** Where each order's slots lie in the shared array. */
export interface ProbingLayout {
  /** base[n]: offset of order n's first slot (n ≥ 2; entries 0 and 1 unused). */
  base: number[];
  /** capacity[n]: number of slots of order n. */
  capacity: number[];
  /** stride[n]: Int32s per slot of order n (4, or 3 at the top order). */
  stride: number[];
  /** sizes[n−1]: stored n-grams of order n (sizes[0] = vocabulary size). */
  sizes: number[];
}

/** Column form of a model (rows in insertion order), as `BackoffModel` holds it. */
export interface Columns {
  /** prefix[n][row]: row of the first n−1 words one order down (a word id for n = 2). */
  prefix: Int32Array[];
  /** word[n][row]: id of the last word. */
  word: Int32Array[];
  logProb: Float32Array[];
  backoff: Float32Array[];
}

/** A backoff model's n-grams in probing hash tables, for scoring and next-word distributions. */
export class ProbingIndex {
  /** Length of the n-gram matched by the last call to `score`. */
  lastMatched = 0;
  /** log10 of the backoff charged per unseen context (0 except for stupid backoff). */
  missingContextBackoff = 0;
  /** Float view of `slots` (log10 p and backoff fields). */
  private readonly values: Float32Array;
  private readonly base: Int32Array;
  private readonly capacity: Int32Array;
  private readonly stride: Int32Array;
  private readonly scale: Float64Array;
  /** Scratch: first probe offset per context length, found offsets and backoffs per order. */
  private readonly probe: Int32Array;
  private readonly foundAt: Int32Array;
  private readonly foundBackoff: Float64Array;
  /** Sink for the prefetching reads in `score`, so they are not optimised away. */
  private touched = 0;
  private children: (ChildIndex | undefined)[] = [];

  /**
   * `unigram` holds [log10 p, log10 backoff] per word; `slots` all orders' slots as `layout` places them.
   */
  constructor(
    readonly order: number,
    readonly unigram: Float32Array,
    readonly slots: Int32Array,
    readonly layout: ProbingLayout,
  ) {
    this.values = new Float32Array(slots.buffer, slots.byteOffset, slots.length);
    const at = (a: number[]) => Int32Array.from({ length: order + 1 }, (_, n) => a[n] ?? 0);
    this.base = at(layout.base);
    this.capacity = at(layout.capacity);
    this.stride = at(layout.stride);
    this.scale = Float64Array.from(this.capacity, (c) => c / 4294967296);
    this.probe = new Int32Array(order + 1);
    this.foundAt = new Int32Array(order + 1);
    this.foundBackoff = new Float64Array(order + 1);
  }

  /** Slots and strides for tables of the given sizes (load ≤ 3/4). */
  static layoutFor(order: number, sizes: number[]): ProbingLayout {
    const base = [0, 0];
    const capacity = [0, 0];
    const stride = [0, 0];
    let total = 0;
    for (let n = 2; n <= order; n++) {
      base.push(total);
      capacity.push(Math.max(4, Math.ceil(sizes[n - 1] / MAX_LOAD) + 1));
      stride.push(n < order ? 4 : 3);
      total += capacity[n] * stride[n];
    }
    return { base, capacity, stride, sizes: sizes.slice(0, order) };
  }

  /** Number of Int32s the slots of `layout` take. */
  static slotLength(layout: ProbingLayout): number {
    const last = layout.base.length - 1;
    return last < 2 ? 0 : layout.base[last] + layout.capacity[last] * layout.stride[last];
  }

  /** Builds the index of a model held in columns. */
  static fromColumns(order: number, cols: Columns): ProbingIndex {
    const layout = ProbingIndex.layoutOf(order, cols);
    const slots = new Int32Array(ProbingIndex.slotLength(layout));
    for (const block of ProbingIndex.slotBlocks(order, cols, layout, slots)) void block;
    return new ProbingIndex(order, ProbingIndex.unigramsOf(order, cols), slots, layout);
  }

  /** The layout an index of these columns gets. */
  static layoutOf(order: number, cols: Columns): ProbingLayout {
    const sizes = [cols.logProb[1].length];
    for (let n = 2; n <= order; n++) sizes.push(cols.word[n].length);
    return ProbingIndex.layoutFor(order, sizes);
  }

  /** [log10 p, log10 backoff] per word, from the columns. */
  static unigramsOf(order: number, cols: Columns): Float32Array {
    const vocabSize = cols.logProb[1].length;
    const unigram = new Float32Array(2 * vocabSize);
    for (let w = 0; w < vocabSize; w++) {
      unigram[2 * w] = cols.logProb[1][w];
      unigram[2 * w + 1] = order > 1 ? cols.backoff[1][w] : 0;
    }
    return unigram;
  }

  /**
   * The slots of orders 2..N one order at a time (each block starts at `layout.base[n]`), written into
   * `into` (all orders' slots) when given, else into one scratch buffer reused for every order, so a writer
   * can stream them without a second copy of the model in memory: use each block before asking for the next.
   */
  static *slotBlocks(
    order: number,
    cols: Columns,
    layout: ProbingLayout,
    into?: Int32Array,
  ): Generator<Int32Array> {
    let most = 0;
    let rows = 0;
    for (let n = 2; n <= order; n++) {
      most = Math.max(most, layout.capacity[n] * layout.stride[n]);
      rows = Math.max(rows, cols.word[n].length);
    }
    // Fresh memory is slow to touch on some VMs: one scratch block and two row-offset arrays serve every order.
    const scratch = into ? undefined : new Int32Array(most);
    let below = new Int32Array(rows); // slot offset of each row one order down
    let at = new Int32Array(rows);
    for (let n = 2; n <= order; n++) {
      const base = layout.base[n];
      const cap = layout.capacity[n];
      const st = layout.stride[n];
      const scale = cap / 4294967296;
      const slots = into
        ? into.subarray(base, base + cap * st)
        : (scratch as Int32Array).subarray(0, cap * st);
      const values = new Float32Array(slots.buffer, slots.byteOffset, slots.length);
      slots.fill(0);
      for (let s = 0; s < cap; s++) slots[s * st + 1] = EMPTY;
      const prefix = cols.prefix[n];
      const word = cols.word[n];
      for (let r = 0; r < word.length; r++) {
        const parent = n > 2 ? below[prefix[r]] : prefix[r];
        let s = (pairHash(parent, word[r]) * scale) | 0;
        while (slots[s * st + 1] !== EMPTY) if (++s === cap) s = 0;
        const p = s * st;
        slots[p] = parent;
        slots[p + 1] = word[r];
        values[p + 2] = cols.logProb[n][r];
        if (n < order) values[p + 3] = cols.backoff[n][r];
        at[r] = base + p;
      }
      [below, at] = [at, below];
      yield slots;
    }
  }

  /** The column form (rows numbered in slot order), for writing ARPA files and other whole-model work. */
  toColumns(): Columns {
    const { order, slots, values } = this;
    const vocabSize = this.layout.sizes[0];
    const cols: Columns = {
      prefix: [new Int32Array(0), new Int32Array(0)],
      word: [new Int32Array(0), Int32Array.from({ length: vocabSize }, (_, w) => w)],
      logProb: [new Float32Array(0), new Float32Array(vocabSize)],
      backoff: [new Float32Array(0), new Float32Array(order > 1 ? vocabSize : 0)],
    };
    for (let w = 0; w < vocabSize; w++) {
      cols.logProb[1][w] = this.unigram[2 * w];
      if (order > 1) cols.backoff[1][w] = this.unigram[2 * w + 1];
    }
    let rowBelow: Int32Array | undefined; // row of each slot one order down, indexed by slot number
    for (let n = 2; n <= order; n++) {
      const { base, st, cap } = this.table(n);
      const size = this.layout.sizes[n - 1];
      const prefix = new Int32Array(size);
      const word = new Int32Array(size);
      const logProb = new Float32Array(size);
      const backoff = new Float32Array(n < order ? size : 0);
      const rowOf = new Int32Array(cap).fill(-1);
      const stBelow = this.stride[n - 1];
      const baseBelow = this.base[n - 1];
      let row = 0;
      for (let s = 0; s < cap; s++) {
        const p = base + s * st;
        if (slots[p + 1] === EMPTY) continue;
        prefix[row] = rowBelow ? rowBelow[(slots[p] - baseBelow) / stBelow] : slots[p];
        word[row] = slots[p + 1];
        logProb[row] = values[p + 2];
        if (n < order) backoff[row] = values[p + 3];
        rowOf[s] = row++;
      }
      cols.prefix.push(prefix);
      cols.word.push(word);
      cols.logProb.push(logProb);
      cols.backoff.push(backoff);
      rowBelow = rowOf;
    }
    return cols;
  }

  /** A state holding only word `w` (e.g. `<s>`) as its history, written into `s` when given. */
  stateAfter(w: number, s = new ScoreState(this.order)): ScoreState {
    s.len = 0;
    if (this.order > 1) {
      s.ctx[1] = w;
      s.backoffs[1] = this.unigram[2 * w + 1];
      s.len = 1;
    }
    return s;
  }

  /**
   * Returns log10 p(w | state) and writes the state after w into `out` (may be `state`):
   *   log10 p = log10 p*(longest stored h_j w) + Σ backoff of the longer contexts h_j.
   */
  score(state: ScoreState, w: number, out: ScoreState): number {
    const slots = this.slots;
    const ctx = state.ctx;
    const len = state.len;
    const base = this.base;
    const stride = this.stride;
    const probe = this.probe;
    // Start every order's first probe at once, so their cache misses overlap; then search in order.
    let touched = 0;
    let known = 0;
    for (let j = 1; j <= len; j++) {
      const c = ctx[j];
      if (c < 0) break;
      const n = j + 1;
      const p = base[n] + ((pairHash(c, w) * this.scale[n]) | 0) * stride[n];
      probe[j] = p;
      touched |= slots[p + 1];
      known = j;
    }
    this.touched = touched;
    let log10p = this.unigram[2 * w];
    let matched = 1;
    const foundAt = this.foundAt;
    const foundBackoff = this.foundBackoff;
    for (let j = 1; j <= known; j++) {
      const n = j + 1;
      const c = ctx[j];
      const st = stride[n];
      const start = base[n];
      const end = start + this.capacity[n] * st;
      const first = probe[j];
      let p = first;
      for (;;) {
        const word = slots[p + 1];
        if (word === w && slots[p] === c) break;
        if (word === EMPTY) {
          p = -1;
          break;
        }
        p += st;
        if (p === end) p = start;
        // every slot visited: a damaged file's table with no empty slot (lmkit writes ≤ 3/4 full)
        if (p === first) {
          p = -1;
          break;
        }
      }
      if (p < 0) break;
      log10p = this.values[p + 2];
      matched = n;
      foundAt[n] = p;
      foundBackoff[n] = n < this.order ? this.values[p + 3] : 0;
    }
    // Contexts longer than the one matched contribute their backoff weights.
    const backoffs = state.backoffs;
    for (let j = matched; j <= len; j++) {
      log10p += ctx[j] >= 0 ? backoffs[j] : this.missingContextBackoff;
    }
    // After w, the last k words are stored exactly when k ≤ matched.
    const newLen = len + 1 < this.order ? len + 1 : this.order - 1;
    if (newLen > 0) {
      out.ctx[1] = w;
      out.backoffs[1] = this.unigram[2 * w + 1];
    }
    for (let k = 2; k <= newLen; k++) {
      if (k <= matched) {
        out.ctx[k] = foundAt[k];
        out.backoffs[k] = foundBackoff[k];
      } else {
        out.ctx[k] = -1;
        out.backoffs[k] = 0;
      }
    }
    out.len = newLen;
    this.lastMatched = matched;
    return log10p;
  }

  /**
   * The next-word distribution after `state` (linear probabilities over the vocabulary, `<s>` at 0),
   * level by level: scale the lower-order distribution by the context's backoff, then overwrite the
   * words stored after that context.
   */
  distribution(state: ScoreState, out: Float64Array, unigrams: Float64Array, bos: number): Float64Array {
    out.set(unigrams);
    for (let j = 1; j <= state.len; j++) {
      const c = state.ctx[j];
      const b = Math.pow(10, c >= 0 ? state.backoffs[j] : this.missingContextBackoff);
      if (b !== 1) for (let w = 0; w < out.length; w++) out[w] *= b;
      if (c < 0) continue;
      const index = this.childIndex(j + 1);
      const key = j === 1 ? c : (c - this.base[j]) / this.stride[j];
      for (let k = index.start[key]; k < index.start[key + 1]; k++) {
        const p = index.at[k];
        out[this.slots[p + 1]] = Math.pow(10, this.values[p + 2]);
      }
    }
    out[bos] = 0;
    return out;
  }

  /**
   * The n-grams stored after the context a state holds at length j (j = 1..state.len, stored: ctx[j] ≥ 0):
   * slot offsets `at[from..to)`, whose word and log10 p* are `wordAt(p)` and `log10pAt(p)`.
   */
  storedAfter(state: ScoreState, j: number): { at: Int32Array; from: number; to: number } {
    const c = state.ctx[j];
    const index = this.childIndex(j + 1);
    const key = j === 1 ? c : (c - this.base[j]) / this.stride[j];
    return { at: index.at, from: index.start[key], to: index.start[key + 1] };
  }

  /** Whether word w is stored after the context a state holds at length j (which must be stored). */
  isStoredAfter(state: ScoreState, j: number, w: number): boolean {
    const n = j + 1;
    const c = state.ctx[j];
    const slots = this.slots;
    const st = this.stride[n];
    const start = this.base[n];
    const end = start + this.capacity[n] * st;
    const first = start + ((pairHash(c, w) * this.scale[n]) | 0) * st;
    let p = first;
    for (;;) {
      const word = slots[p + 1];
      if (word === w && slots[p] === c) return true;
      if (word === EMPTY) return false;
      p += st;
      if (p === end) p = start;
      if (p === first) return false;
    }
  }

  /** The word of the n-gram in slot offset p. */
  wordAt(p: number): number {
    return this.slots[p + 1];
  }

  /** The log10 p* of the n-gram in slot offset p. */
  log10pAt(p: number): number {
    return this.values[p + 2];
  }

  private table(n: number): { base: number; st: number; cap: number } {
    return { base: this.base[n], st: this.stride[n], cap: this.capacity[n] };
  }

  /** Slots of order n grouped by their parent (word id or slot number one order down; a counting sort). */
  private childIndex(n: number): ChildIndex {
    let index = this.children[n];
    if (!index) {
      const { base, st, cap } = this.table(n);
      const slots = this.slots;
      const parents = n === 2 ? this.layout.sizes[0] : this.capacity[n - 1];
      const keyOf = (p: number) => (n === 2 ? slots[p] : (slots[p] - this.base[n - 1]) / this.stride[n - 1]);
      const start = new Int32Array(parents + 1);
      for (let s = 0, p = base; s < cap; s++, p += st) if (slots[p + 1] !== EMPTY) start[keyOf(p) + 1]++;
      for (let i = 1; i < start.length; i++) start[i] += start[i - 1];
      const fill = start.slice(0, -1);
      const at = new Int32Array(start[parents]);
      for (let s = 0, p = base; s < cap; s++, p += st) if (slots[p + 1] !== EMPTY) at[fill[keyOf(p)]++] = p;
      index = { start, at };
      this.children[n] = index;
    }
    return index;
  }
}

interface ChildIndex {
  start: Int32Array;
  /** Slot offsets, grouped by parent. */
  at: Int32Array;
}
