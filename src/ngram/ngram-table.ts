/**
 * The n-grams of one order, stored as (prefix, last word) pairs: an n-gram w1..wn is the pair
 * (row of w1..w(n-1) in the table of order n-1, id of wn). One open-addressing hash maps a pair to
 * its row, so the whole model is a trie whose edges are found by hashing, as in KenLM's probing format.
 *
 * Each hash slot holds [prefix, word, row + 1] side by side, so a lookup touches one cache line per
 * probe. Rows are numbered in insertion order; column arrays (counts, probabilities) live beside the
 * table, and `prefix`/`word` give the pair of each row (rebuilt from the slots when a table was loaded).
 */

const STRIDE = 3;
const MAX_LOAD = 0.75;

/** Hash of a (prefix row, word id) pair, well mixed in 32 bits. */
export function pairHash(prefix: number, word: number): number {
  let h = (Math.imul(prefix, 0x9e3779b1) ^ word) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** An insert-only table of n-grams of one order with O(1) lookup by (prefix row, word). */
export class NGramTable {
  /** Number of rows. */
  size = 0;
  /** Hash slots, STRIDE int32 each: prefix, word, row + 1 (0 marks an empty slot); built on first use. */
  private slotArray?: Int32Array;
  private capacity = 0;
  /** Maps a 32-bit hash onto [0, capacity) by multiplication (any capacity, not only powers of two). */
  private scale = 0;
  private prefixRows?: Int32Array;
  private wordRows?: Int32Array;

  /** Creates an empty table sized for about `expected` rows, or wraps slots read from a file. */
  constructor(expected = 1024, loaded?: { slots: Int32Array; size: number }) {
    const rows = Math.max(16, expected);
    this.setSlots(loaded ? loaded.slots : new Int32Array(slotCountFor(rows) * STRIDE));
    this.size = loaded ? loaded.size : 0;
    this.prefixRows = loaded ? undefined : new Int32Array(rows);
    this.wordRows = loaded ? undefined : new Int32Array(rows);
  }

  /**
   * A table of the rows (prefix[r], word[r]), each pair once; the hash is built only when first probed
   * (estimation and writing need the rows, not the hash).
   */
  static fromRows(prefix: Int32Array, word: Int32Array): NGramTable {
    const t = new NGramTable(0, { slots: new Int32Array(0), size: prefix.length });
    t.slotArray = undefined;
    t.prefixRows = prefix;
    t.wordRows = word;
    return t;
  }

  /** Hash slots, STRIDE int32 each: prefix, word, row + 1 (0 marks an empty slot). */
  get slots(): Int32Array {
    if (!this.slotArray) this.rehash(slotCountFor(this.size));
    return this.slotArray as Int32Array;
  }

  private setSlots(slots: Int32Array): void {
    this.slotArray = slots;
    this.capacity = slots.length / STRIDE;
    this.scale = this.capacity / 4294967296;
  }

  /** Wraps hash slots read from a binary model; the per-row arrays are rebuilt only if asked for. */
  static fromSlots(slots: Int32Array, size: number): NGramTable {
    return new NGramTable(0, { slots, size });
  }

  /** Row -> row of the (n-1)-gram prefix in the table one order down. */
  get prefix(): Int32Array {
    if (!this.prefixRows) this.rebuildRows();
    return this.prefixRows as Int32Array;
  }

  /** Row -> id of the last word. */
  get word(): Int32Array {
    if (!this.wordRows) this.rebuildRows();
    return this.wordRows as Int32Array;
  }

  /**
   * The slot holding (prefix, word), or the empty slot where it belongs (linear probing); -1 when every
   * slot is taken by others (only a damaged file's table is ever full).
   */
  private slotOf(prefix: number, word: number): number {
    const slots = this.slots;
    const cap = this.capacity;
    const first = (pairHash(prefix, word) * this.scale) | 0;
    let s = first;
    for (;;) {
      const base = s * STRIDE;
      if (slots[base + 2] === 0 || (slots[base + 1] === word && slots[base] === prefix)) return s;
      if (++s === cap) s = 0;
      if (s === first) return -1;
    }
  }

  /** The row of (prefix, word), or -1 when absent. */
  find(prefix: number, word: number): number {
    const s = this.slotOf(prefix, word);
    return s < 0 ? -1 : this.slots[s * STRIDE + 2] - 1;
  }

  /** The row of (prefix, word), adding it when absent. */
  findOrInsert(prefix: number, word: number): number {
    const s = this.slotOf(prefix, word);
    if (s < 0) throw new Error('n-gram table is full (it grows before it fills: a bug)');
    const slots = this.slots;
    const found = slots[s * STRIDE + 2];
    if (found !== 0) return found - 1;
    const row = this.size++;
    let prefixRows = this.prefix;
    if (row >= prefixRows.length) {
      this.growRows();
      prefixRows = this.prefix;
    }
    prefixRows[row] = prefix;
    (this.wordRows as Int32Array)[row] = word;
    const base = s * STRIDE;
    slots[base] = prefix;
    slots[base + 1] = word;
    slots[base + 2] = row + 1;
    if (this.size > this.capacity * MAX_LOAD) this.rehash(this.capacity * 2);
    return row;
  }

  /** Shrinks row arrays and hash slots to what the rows need (after counting, to give memory back). */
  compact(): void {
    this.prefixRows = this.prefix.slice(0, this.size);
    this.wordRows = this.word.slice(0, this.size);
    const cap = slotCountFor(this.size);
    if (this.slotArray && cap < this.capacity) this.rehash(cap);
  }

  private growRows(): void {
    const cap = this.prefix.length * 2;
    const p = new Int32Array(cap);
    p.set(this.prefix);
    const w = new Int32Array(cap);
    w.set(this.word);
    this.prefixRows = p;
    this.wordRows = w;
  }

  private rebuildRows(): void {
    const p = new Int32Array(this.size);
    const w = new Int32Array(this.size);
    const slots = this.slots;
    for (let base = 0; base < slots.length; base += STRIDE) {
      const r = slots[base + 2];
      if (r === 0) continue;
      p[r - 1] = slots[base];
      w[r - 1] = slots[base + 1];
    }
    this.prefixRows = p;
    this.wordRows = w;
  }

  private rehash(capacity: number): void {
    const slots = new Int32Array(capacity * STRIDE);
    const scale = capacity / 4294967296;
    const prefix = this.prefix;
    const word = this.word;
    for (let row = 0; row < this.size; row++) {
      let s = (pairHash(prefix[row], word[row]) * scale) | 0;
      while (slots[s * STRIDE + 2] !== 0) if (++s === capacity) s = 0;
      const base = s * STRIDE;
      slots[base] = prefix[row];
      slots[base + 1] = word[row];
      slots[base + 2] = row + 1;
    }
    this.setSlots(slots);
  }
}

/** Enough slots to keep the load factor at or below MAX_LOAD. */
function slotCountFor(rows: number): number {
  return Math.max(16, Math.ceil(rows / MAX_LOAD) + 1);
}

/** A growable Int32 column that follows a table's rows (e.g. raw counts during counting). */
export class GrowableInt32 {
  data: Int32Array;

  /** Creates a column with room for `capacity` rows. */
  constructor(capacity = 1024) {
    this.data = new Int32Array(capacity);
  }

  /** Adds `by` at `row`, growing the column when needed. */
  add(row: number, by: number): void {
    if (row >= this.data.length) this.grow(row);
    this.data[row] += by;
  }

  /** Sets `row` to `value`, growing the column when needed. */
  set(row: number, value: number): void {
    if (row >= this.data.length) this.grow(row);
    this.data[row] = value;
  }

  private grow(row: number): void {
    let cap = Math.max(16, this.data.length * 2);
    while (cap <= row) cap *= 2;
    const d = new Int32Array(cap);
    d.set(this.data);
    this.data = d;
  }
}
