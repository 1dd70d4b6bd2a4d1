/**
 * The n-grams of one order, stored as (prefix, last word) pairs: an n-gram w1..wn is the pair
 * (index of w1..w(n-1) in the table of order n-1, id of wn). One open-addressing hash maps a pair to
 * its row, so the whole model is a trie whose edges are found by hashing, as in KenLM's probing format.
 * Rows are numbered in insertion order; column arrays (counts, probabilities) live beside the table.
 */

const EMPTY = 0; // slots hold row + 1, so 0 marks an empty slot

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
  /** Row -> row of the (n-1)-gram prefix in the table one order down. */
  prefix: Int32Array;
  /** Row -> id of the last word. */
  word: Int32Array;
  /** Open-addressing slots holding row + 1; length is a power of two. */
  slots: Int32Array;
  private mask: number;

  /** Creates an empty table sized for about `expected` rows. */
  constructor(expected = 1024) {
    const cap = Math.max(16, expected);
    this.prefix = new Int32Array(cap);
    this.word = new Int32Array(cap);
    let slotCount = 32;
    while (slotCount < cap * 2) slotCount *= 2;
    this.slots = new Int32Array(slotCount);
    this.mask = slotCount - 1;
  }

  /** Wraps arrays read from a binary model (no copying, no rehashing). */
  static fromArrays(prefix: Int32Array, word: Int32Array, slots: Int32Array): NGramTable {
    const t = Object.create(NGramTable.prototype) as NGramTable;
    t.prefix = prefix;
    t.word = word;
    t.slots = slots;
    t.size = word.length;
    t.mask = slots.length - 1;
    return t;
  }

  /** The row of (prefix, word), or -1 when absent. */
  find(prefix: number, word: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let s = pairHash(prefix, word) & mask;
    for (;;) {
      const r = slots[s];
      if (r === EMPTY) return -1;
      if (this.word[r - 1] === word && this.prefix[r - 1] === prefix) return r - 1;
      s = (s + 1) & mask;
    }
  }

  /** The row of (prefix, word), adding it when absent. */
  findOrInsert(prefix: number, word: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let s = pairHash(prefix, word) & mask;
    for (;;) {
      const r = slots[s];
      if (r === EMPTY) break;
      if (this.word[r - 1] === word && this.prefix[r - 1] === prefix) return r - 1;
      s = (s + 1) & mask;
    }
    const row = this.size++;
    if (row >= this.word.length) this.growRows();
    this.prefix[row] = prefix;
    this.word[row] = word;
    slots[s] = row + 1;
    if (this.size * 4 > this.slots.length * 3) this.rehash(this.slots.length * 2);
    return row;
  }

  /** Shrinks row arrays and hash slots to what the rows need (after counting, to give memory back). */
  compact(): void {
    this.prefix = this.prefix.slice(0, this.size);
    this.word = this.word.slice(0, this.size);
    let slotCount = 32;
    while (slotCount * 3 < this.size * 4 + 4) slotCount *= 2; // load factor at most 3/4
    if (slotCount < this.slots.length) this.rehash(slotCount);
  }

  private growRows(): void {
    const cap = this.word.length * 2;
    const p = new Int32Array(cap);
    p.set(this.prefix);
    const w = new Int32Array(cap);
    w.set(this.word);
    this.prefix = p;
    this.word = w;
  }

  private rehash(slotCount: number): void {
    const slots = new Int32Array(slotCount);
    const mask = slotCount - 1;
    for (let row = 0; row < this.size; row++) {
      let s = pairHash(this.prefix[row], this.word[row]) & mask;
      while (slots[s] !== EMPTY) s = (s + 1) & mask;
      slots[s] = row + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
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
