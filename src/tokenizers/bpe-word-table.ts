/**
 * A hash table of words, looked up by their position in a text: the characters of `text[start..end)`
 * are hashed and compared in place, so finding a word seen before allocates no string; only a new
 * word is copied out as a key. Words get dense indexes 0, 1, 2, ... in insertion order, under which
 * callers keep their own data (the encoder's token ids per word, the trainer's word counts).
 */

const EMPTY = -1;

/** Open addressing with linear probing over words given as text ranges. */
export class WordTable {
  private keys: string[] = [];
  private hashes: number[] = [];
  private slots = new Int32Array(1024).fill(EMPTY);

  /** Number of words. */
  get size(): number {
    return this.keys.length;
  }

  /** FNV-1a hash of `text[start..end)`. */
  static hash(text: string, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    return h >>> 0;
  }

  /** The index of the word `text[start..end)` (whose hash is `hash`), or -1 when it is not in the table. */
  find(text: string, start: number, end: number, hash: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const e = this.slots[slot];
      if (e === EMPTY) return -1;
      if (this.hashes[e] === hash && sameText(this.keys[e], text, start, end)) return e;
    }
  }

  /** Adds `word` (not in the table; its hash is `hash`) and returns its index. */
  insert(word: string, hash: number): number {
    if (2 * (this.keys.length + 1) > this.slots.length) this.rehash(2 * this.slots.length);
    const index = this.keys.length;
    this.place(hash, index);
    this.keys.push(word);
    this.hashes.push(hash);
    return index;
  }

  /** The word with index `index`. */
  word(index: number): string {
    return this.keys[index];
  }

  /** Forgets every word. */
  clear(): void {
    this.keys = [];
    this.hashes = [];
    this.slots.fill(EMPTY);
  }

  private place(hash: number, index: number): void {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    while (this.slots[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.slots[slot] = index;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size).fill(EMPTY);
    this.hashes.forEach((h, index) => this.place(h, index));
  }
}

function sameText(key: string, text: string, start: number, end: number): boolean {
  if (key.length !== end - start) return false;
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) !== text.charCodeAt(start + i)) return false;
  return true;
}
