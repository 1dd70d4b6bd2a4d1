/**
 * The encoder's memory of words it has already split: word → token ids. Words are looked up by
 * their position in the text being encoded (hashing and comparing its characters in place), so a
 * word seen before costs no string allocation; only a new word is copied out as a key. When full, the
 * cache starts over, which bounds its memory on endless streams of new words.
 */

const EMPTY = -1;

/** An open-addressing hash table from words (as text ranges) to their token ids. */
export class WordCache {
  private keys: string[] = [];
  private values: Int32Array[] = [];
  private hashes: number[] = [];
  private slots: Int32Array;

  /** A cache holding at most `capacity` words. */
  constructor(private readonly capacity: number) {
    this.slots = new Int32Array(tableSize(capacity)).fill(EMPTY);
  }

  /** FNV-1a hash of `text[start..end)`. */
  static hash(text: string, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    return h >>> 0;
  }

  /** The token ids of the word `text[start..end)` whose hash is `hash`, or undefined when not cached. */
  get(text: string, start: number, end: number, hash: number): Int32Array | undefined {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const e = this.slots[slot];
      if (e === EMPTY) return undefined;
      if (this.hashes[e] === hash && sameText(this.keys[e], text, start, end)) return this.values[e];
    }
  }

  /** Remembers `ids` for `word` (not already cached), whose hash is `hash`. */
  set(word: string, hash: number, ids: Int32Array): void {
    if (this.keys.length >= this.capacity) {
      this.keys = [];
      this.values = [];
      this.hashes = [];
      this.slots.fill(EMPTY);
    }
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    while (this.slots[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.slots[slot] = this.keys.length;
    this.keys.push(word);
    this.values.push(ids);
    this.hashes.push(hash);
  }
}

/** The smallest power of two at least twice `capacity`, so probe runs stay short. */
function tableSize(capacity: number): number {
  let size = 16;
  while (size < 2 * capacity) size *= 2;
  return size;
}

function sameText(key: string, text: string, start: number, end: number): boolean {
  if (key.length !== end - start) return false;
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) !== text.charCodeAt(start + i)) return false;
  return true;
}
