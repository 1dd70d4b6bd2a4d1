/**
 * Word <-> id mapping of an n-gram model, numbered as KenLM numbers it: `<unk>`=0, `<s>`=1,
 * `</s>`=2, then words in order of first occurrence (or of the ARPA unigram section when read).
 */
import { LmkitError } from '../errors.js';

export const UNK = 0;
export const BOS = 1;
export const EOS = 2;
export const UNK_WORD = '<unk>';
export const BOS_WORD = '<s>';
export const EOS_WORD = '</s>';

const SPECIALS = [UNK_WORD, BOS_WORD, EOS_WORD];

/**
 * The vocabulary of an n-gram model. One read from a binary file keeps the file's bytes and builds its
 * word list and word → id map only when first asked for (scoring straight from bytes needs neither).
 */
export class NGramVocabulary {
  private list?: string[] = [...SPECIALS];
  private map?: Map<string, number> = new Map(SPECIALS.map((w, i) => [w, i]));
  /** The words in UTF-8, each followed by NUL, while the list has not been built from them. */
  private joined?: Uint8Array;
  private count = SPECIALS.length;
  /** Look-ups answered by scanning `joined` so far. */
  private scans = 0;
  /** Byte offset in `joined` where word i starts, for the first `known` words (filled as scans need). */
  private starts?: Int32Array;
  private known = 0;

  /** The words in id order. */
  get words(): string[] {
    if (!this.list) {
      const j = this.joined as Uint8Array;
      const text = Buffer.from(j.buffer, j.byteOffset, j.length - 1).toString('utf8');
      const list = text.split('\0');
      if (list.length !== this.count)
        throw new LmkitError(`the vocabulary holds ${list.length} words where ${this.count} were expected`);
      this.list = list;
    }
    return this.list;
  }

  /** Number of ids, specials included. */
  get size(): number {
    return this.list ? this.list.length : this.count;
  }

  /** The id of `word`, or `<unk>`'s id when it is not in the vocabulary. */
  idOf(word: string): number {
    return this.lookup(word) ?? UNK;
  }

  /** The id of `word`, or undefined when it is not in the vocabulary. */
  lookup(word: string): number | undefined {
    // A model read from bytes answers its first few look-ups by scanning the bytes: scoring one sentence
    // then costs microseconds instead of the tens of milliseconds of building the map of every word.
    if (!this.map && this.joined && this.scans < SCANS_BEFORE_MAP) {
      this.scans++;
      const start = startOf(this.joined, word);
      return start < 0 ? undefined : this.idStartingAt(start);
    }
    return this.ids().get(word);
  }

  /** The id of `word`, adding it when new. */
  add(word: string): number {
    const ids = this.ids();
    let id = ids.get(word);
    if (id === undefined) {
      id = this.words.length;
      this.words.push(word);
      ids.set(word, id);
      this.joined = undefined;
    }
    return id;
  }

  /** The words in UTF-8, each followed by NUL (words never hold NUL: it separates words in text). */
  joinedBytes(): Uint8Array {
    this.joined ??= Buffer.from(this.words.join('\0') + '\0', 'utf8');
    return this.joined;
  }

  /** Builds a vocabulary from words listed in id order (the first three must be the specials). */
  static fromWords(words: readonly string[]): NGramVocabulary {
    const v = new NGramVocabulary();
    checkSpecials(words.slice(0, 3));
    v.list = words.slice();
    v.map = undefined;
    v.ids();
    return v;
  }

  /**
   * A vocabulary over `bytes`: its words in id order, UTF-8, separated by NUL (as binary models hold
   * them). Duplicates are found when the word map is first needed. `count`, when given (a binary file's
   * header states it), spares counting the words now: a mismatch is found when the words are listed.
   */
  static fromBytes(bytes: Uint8Array, count?: number): NGramVocabulary {
    const v = new NGramVocabulary();
    const joined = Buffer.alloc(bytes.length + 1);
    joined.set(bytes);
    if (count === undefined) {
      count = 0;
      for (let i = 0; i < joined.length; i++) if (joined[i] === 0) count++;
    }
    const head = joined.toString('utf8', 0, Math.min(joined.length, 64)).split('\0').slice(0, 3);
    checkSpecials(count < 3 ? head.slice(0, count) : head);
    v.joined = joined;
    v.count = count;
    v.list = undefined;
    v.map = undefined;
    return v;
  }

  /** The id of the word starting at byte `start` of `joined`, counting words only as far as needed. */
  private idStartingAt(start: number): number {
    const joined = this.joined as Uint8Array;
    const starts = (this.starts ??= new Int32Array(this.count + 1));
    if (this.known === 0) this.known = 1; // word 0 starts at 0
    let p = starts[this.known - 1];
    while (starts[this.known - 1] < start) {
      while (p < joined.length && joined[p] !== 0) p++;
      if (++p > joined.length || this.known > this.count)
        throw new LmkitError(`the vocabulary holds more words than the ${this.count} expected`);
      starts[this.known++] = p;
    }
    let lo = 0;
    let hi = this.known - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= start) lo = mid;
      else hi = mid - 1;
    }
    if (lo >= this.count)
      throw new LmkitError(`the vocabulary holds more words than the ${this.count} expected`);
    return lo;
  }

  /** The word → id map (built on first use; duplicates are an error). */
  private ids(): Map<string, number> {
    if (!this.map) {
      const words = this.words;
      const map = new Map<string, number>();
      for (let i = 0; i < words.length; i++) {
        if (map.has(words[i]))
          throw new LmkitError(`word ${JSON.stringify(words[i])} appears twice in the vocabulary`);
        map.set(words[i], i);
      }
      this.map = map;
    }
    return this.map;
  }
}

/** How many look-ups scan the bytes before the word map is built (a scan costs about 0.1–0.5 ms). */
const SCANS_BEFORE_MAP = 32;

/** Where `word` starts in NUL-terminated UTF-8 words, found by a byte search; -1 when absent. */
function startOf(joined: Uint8Array, word: string): number {
  const special = SPECIALS.indexOf(word);
  if (special >= 0) return [0, 6, 10][special]; // '<unk>\0<s>\0</s>\0'
  if (word.includes('\0')) return -1;
  const bytes = Buffer.from(joined.buffer, joined.byteOffset, joined.length);
  const at = bytes.indexOf(`\0${word}\0`, 0, 'utf8');
  if (at < 0) return -1;
  if (bytes.indexOf(`\0${word}\0`, at + 1, 'utf8') >= 0)
    throw new LmkitError(`word ${JSON.stringify(word)} appears twice in the vocabulary`);
  return at + 1;
}

function checkSpecials(first: readonly string[]): void {
  for (let i = 0; i < 3; i++) {
    if (first[i] !== SPECIALS[i]) {
      throw new LmkitError(
        `vocabulary entry ${i} should be ${SPECIALS[i]}, found ${JSON.stringify(first[i])}`,
      );
    }
  }
}
