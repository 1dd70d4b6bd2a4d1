/**
 * Word ids for counting, looked up by the words' UTF-8 bytes (as lmplz hashes the bytes it reads): no
 * string per token. New words are added to the model's vocabulary in order of first occurrence, so ids
 * are the ones the string path gives. FNV-1a hashing, open addressing; each slot holds
 * [id + 1, byte length, byte offset of the word in `bytes`].
 */
import type { NGramVocabulary } from './vocabulary.js';

const SLOT = 3;

/** A growing map from a word's bytes to its id in an {@link NGramVocabulary}. */
export class ByteWordIds {
  private bytes = new Uint8Array(1 << 16);
  private used = 0;
  private slots: Int32Array;
  private mask: number;
  private size = 0;

  /** Indexes the words `vocab` already has (the specials), then grows with it. */
  constructor(private readonly vocab: NGramVocabulary) {
    this.slots = new Int32Array(1024 * SLOT);
    this.mask = 1023;
    const words = vocab.words;
    for (let id = 0; id < words.length; id++) {
      const b = Buffer.from(words[id], 'utf8');
      this.insert(this.store(b, 0, b.length), b.length, hashOf(b, 0, b.length), id);
    }
  }

  /** The id of the word in text[from, to), adding it to the vocabulary when new. */
  idOf(text: Uint8Array, from: number, to: number): number {
    const len = to - from;
    const h = hashOf(text, from, to);
    const slots = this.slots;
    const bytes = this.bytes;
    let s = h & this.mask;
    for (;;) {
      const p = s * SLOT;
      const e = slots[p];
      if (e === 0) break;
      if (slots[p + 1] === len) {
        const a = slots[p + 2];
        let k = 0;
        while (k < len && bytes[a + k] === text[from + k]) k++;
        if (k === len) return e - 1;
      }
      s = (s + 1) & this.mask;
    }
    const id = this.vocab.add(Buffer.from(text.buffer, text.byteOffset + from, len).toString('utf8'));
    this.insert(this.store(text, from, to), len, h, id);
    return id;
  }

  private store(text: Uint8Array, from: number, to: number): number {
    const len = to - from;
    if (this.used + len > this.bytes.length) {
      const b = new Uint8Array(Math.max(this.bytes.length * 2, this.used + len));
      b.set(this.bytes.subarray(0, this.used));
      this.bytes = b;
    }
    const at = this.used;
    this.bytes.set(text.subarray(from, to), at);
    this.used += len;
    return at;
  }

  private insert(at: number, len: number, h: number, id: number): void {
    if (++this.size * 2 > this.mask + 1) this.grow();
    let s = h & this.mask;
    while (this.slots[s * SLOT] !== 0) s = (s + 1) & this.mask;
    const p = s * SLOT;
    this.slots[p] = id + 1;
    this.slots[p + 1] = len;
    this.slots[p + 2] = at;
  }

  private grow(): void {
    const old = this.slots;
    const cap = (this.mask + 1) * 2;
    this.slots = new Int32Array(cap * SLOT);
    this.mask = cap - 1;
    for (let p = 0; p < old.length; p += SLOT) {
      if (old[p] === 0) continue;
      const h = hashOf(this.bytes, old[p + 2], old[p + 2] + old[p + 1]);
      let s = h & this.mask;
      while (this.slots[s * SLOT] !== 0) s = (s + 1) & this.mask;
      this.slots.set(old.subarray(p, p + SLOT), s * SLOT);
    }
  }
}

/** FNV-1a of b[from, to), mixed. */
function hashOf(b: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return (h ^ (h >>> 15)) >>> 0;
}
