/**
 * A model's vocabulary keyed by UTF-8 bytes, so text can be scored straight from a file's bytes
 * without decoding it into strings (KenLM's query works the same way). FNV-1a hashing, open addressing.
 */
import { LmkitError } from '../errors.js';
import type { BackoffModel } from './backoff-model.js';
import type { Evaluator } from './evaluate.js';
import { BOS, EOS, UNK, type NGramVocabulary } from './vocabulary.js';

/** Word ids looked up by their UTF-8 bytes. */
export class ByteVocabulary {
  private readonly bytes: Uint8Array;
  private readonly start: Int32Array;
  private readonly slots: Int32Array;
  private readonly mask: number;

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
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
    for (let id = 0; id < size; id++) {
      let s = fnv1a(bytes, this.start[id], this.start[id + 1] - 1) & this.mask;
      while (this.slots[s] !== 0) s = (s + 1) & this.mask;
      this.slots[s] = id + 1;
    }
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
    let s = fnv1a(text, from, to) & this.mask;
    for (;;) {
      const e = this.slots[s];
      if (e === 0) return -1;
      const a = this.start[e - 1];
      if (this.start[e] - 1 - a === len) {
        let k = 0;
        while (k < len && this.bytes[a + k] === text[from + k]) k++;
        if (k === len) return e - 1;
      }
      s = (s + 1) & this.mask;
    }
  }
}

function fnv1a(b: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return (h ^ (h >>> 15)) >>> 0;
}

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
