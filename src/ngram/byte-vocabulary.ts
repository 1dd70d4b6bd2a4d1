/**
 * A model's vocabulary keyed by UTF-8 bytes, so text can be scored straight from a file's bytes
 * without decoding it into strings (KenLM's query works the same way). FNV-1a hashing, open addressing;
 * each slot holds [id + 1, byte length, first 8 bytes], so most words are matched with one cache line.
 */
import { LmkitError } from '../errors.js';
import type { BackoffModel } from './backoff-model.js';
import type { Evaluator } from './evaluate.js';
import { BOS, EOS, UNK, type NGramVocabulary } from './vocabulary.js';

/** Word ids looked up by their UTF-8 bytes. */
export class ByteVocabulary {
  private readonly bytes: Uint8Array;
  private readonly start: Int32Array;
  /** Slots of SLOT Int32s: id + 1 (0: empty), byte length, bytes 0–3 and 4–7 (little-endian, 0-padded). */
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** The last `key` computed: hash and the first 8 bytes. */
  private hash = 0;
  private lo = 0;
  private hi = 0;

  /** Indexes the words of a vocabulary (or a word list in id order). */
  constructor(vocab: NGramVocabulary | readonly string[]) {
    const size = Array.isArray(vocab) ? vocab.length : (vocab as NGramVocabulary).size;
    const join = (words: readonly string[]) => Buffer.from(words.join('\0') + '\0', 'utf8');
    // Each word followed by NUL: word i is bytes[start[i] .. start[i + 1] - 1).
    let bytes = Array.isArray(vocab) ? join(vocab) : (vocab as NGramVocabulary).joinedBytes();
    this.start = new Int32Array(size + 1);
    if (!this.findStarts(bytes, size)) {
      // A word holding NUL can never be a token (NUL separates words in text): index it as '' instead.
      const words = Array.isArray(vocab) ? vocab : (vocab as NGramVocabulary).words;
      bytes = join(words.map((w: string) => (w.includes('\0') ? '' : w)));
      this.findStarts(bytes, size);
    }
    this.bytes = bytes;
    let cap = 16;
    while (cap < size * 2) cap *= 2;
    this.slots = new Int32Array(cap * SLOT);
    this.mask = cap - 1;
    for (let id = 0; id < size; id++) {
      const from = this.start[id];
      const to = this.start[id + 1] - 1;
      this.key(bytes, from, to);
      let s = this.hash & this.mask;
      while (this.slots[s * SLOT] !== 0) s = (s + 1) & this.mask;
      const p = s * SLOT;
      this.slots[p] = id + 1;
      this.slots[p + 1] = to - from;
      this.slots[p + 2] = this.lo;
      this.slots[p + 3] = this.hi;
    }
  }

  /** FNV-1a of b[from..to) into `hash`, its first 8 bytes into `lo` and `hi`. */
  private key(b: Uint8Array, from: number, to: number): void {
    let h = 0x811c9dc5;
    let lo = 0;
    let hi = 0;
    for (let i = from; i < to; i++) {
      const c = b[i];
      h = Math.imul(h ^ c, 0x01000193);
      const k = i - from;
      if (k < 4) lo |= c << (8 * k);
      else if (k < 8) hi |= c << (8 * (k - 4));
    }
    this.hash = (h ^ (h >>> 15)) >>> 0;
    this.lo = lo;
    this.hi = hi;
  }

  /** Fills `start` from the NULs ending each word; false when their count is not `size`. */
  private findStarts(bytes: Uint8Array, size: number): boolean {
    const start = this.start;
    let w = 1;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] !== 0) continue;
      if (w > size) return false;
      start[w++] = i + 1;
    }
    return w === size + 1;
  }

  /** The id of the word in text[from..to), or -1 when it is not in the vocabulary. */
  find(text: Uint8Array, from: number, to: number): number {
    const len = to - from;
    this.key(text, from, to);
    const slots = this.slots;
    const lo = this.lo;
    const hi = this.hi;
    let s = this.hash & this.mask;
    for (;;) {
      const p = s * SLOT;
      const e = slots[p];
      if (e === 0) return -1;
      if (slots[p + 1] === len && slots[p + 2] === lo && slots[p + 3] === hi) {
        if (len <= 8) return e - 1;
        // Longer words: the rest of the bytes.
        const a = this.start[e - 1];
        let k = 8;
        while (k < len && this.bytes[a + k] === text[from + k]) k++;
        if (k === len) return e - 1;
      }
      s = (s + 1) & this.mask;
    }
  }
}

const SLOT = 4;

const isSeparator = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x00;

/**
 * Scores UTF-8 text, one sentence per line and words separated by space, tab, CR or NUL, into the
 * evaluator, reading bytes directly. Gives the same results as tokenizing lines into strings.
 */
export function scoreBytes(
  model: BackoffModel,
  vocab: ByteVocabulary,
  text: Uint8Array,
  ev: Evaluator,
): void {
  let ids = new Int32Array(1024);
  let len = 0;
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === 0x0a) {
      ev.addIds(ids, len);
      len = 0;
      line++;
      i++;
      continue;
    }
    if (isSeparator(c)) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && text[j] !== 0x0a && !isSeparator(text[j])) j++;
    let id = vocab.find(text, i, j);
    if (id === BOS || id === EOS) {
      throw new LmkitError(`line ${line} contains the reserved token ${id === BOS ? '<s>' : '</s>'}`, {
        hint: 'sentence boundaries are added automatically: remove <s> and </s> from the input',
      });
    }
    if (id < 0) id = UNK;
    if (len === ids.length) {
      const bigger = new Int32Array(ids.length * 2);
      bigger.set(ids);
      ids = bigger;
    }
    ids[len++] = id;
    i = j;
  }
  if (len > 0 || (n > 0 && text[n - 1] !== 0x0a)) ev.addIds(ids, len);
}
