/**
 * Byte-level BPE (Sennrich et al. 2016, on bytes as in GPT-2, Radford et al. 2019). Text becomes
 * UTF-8 bytes, GPT-2's regex cuts it into words, and each word's bytes are joined by the learned
 * merges in rank order. Every byte is a base token, so there is no unknown token and any string
 * encodes; decoding concatenates the tokens' bytes and reads them as UTF-8.
 *
 * Invalid text: a lone surrogate in a JavaScript string is not Unicode and has no UTF-8 form; it is
 * encoded as U+FFFD (as TextEncoder and js-tiktoken do), so `decode(encode(s))` is `s` with each lone
 * surrogate replaced by U+FFFD, and is `s` itself for every well-formed string. Decoding ids whose bytes
 * are not valid UTF-8 (a character cut between tokens) gives U+FFFD for the broken bytes.
 *
 * Special tokens (`<|endoftext|>`, chat markers) have their own ids and are never merged. In text they
 * are recognized only where the caller allows it (`allowedSpecial`), so user text that happens to
 * contain `<|user|>` is encoded as ordinary bytes unless asked otherwise.
 */
import { LmkitError } from '../errors.js';
import { BYTE_ORDER, BYTE_SYMBOLS, symbolsToBytes, utf8 } from './bpe-bytes.js';
import { MAX_TOKEN_ID, mergeByRank, MergeTable } from './bpe-merge.js';
import { preTokenEnd, specialTokenPattern, splitSpecial } from './bpe-pretokenize.js';
import { WordTable } from './bpe-word-table.js';
import type { SpecialTokens, Tokenizer } from './tokenizer.js';

/** GPT-2's end-of-text token, its beginning- and end-of-sequence marker. */
export const END_OF_TEXT = '<|endoftext|>';

/** Which special tokens `encode` recognizes in text: all, none, or those listed. */
export type AllowedSpecial = 'all' | 'none' | readonly string[];

/** Options of {@link BPETokenizer.encode}. */
export interface BPEEncodeOptions {
  /** Special tokens to recognize in the text (default 'none': the text is encoded as plain bytes). */
  allowedSpecial?: AllowedSpecial;
}

/** Options of {@link BPETokenizer.decode}. */
export interface BPEDecodeOptions {
  /** Write special tokens as their text instead of dropping them (default false). */
  keepSpecial?: boolean;
}

/** A merge: the two token strings it joins, in byte-level symbols. */
export type Merge = readonly [string, string];

const CACHE_LIMIT = 100_000;

let scratch = new Int32Array(256);

/** Byte-level BPE: vocabulary, ranked merges and special tokens. */
export class BPETokenizer implements Tokenizer {
  readonly kind = 'bpe';
  readonly special: SpecialTokens;
  private readonly ids = new Map<string, number>();
  private readonly specialIds = new Map<string, number>();
  private readonly isSpecial: Uint8Array;
  private readonly byteIds = new Int32Array(256);
  private readonly tokenBytes: Uint8Array[];
  private readonly mergeTable = new MergeTable();
  private readonly allSpecialPattern: RegExp | undefined;
  /** Words already split, and their token ids (cachedIds[i] for word i); emptied when full. */
  private readonly cache = new WordTable();
  private cachedIds: Int32Array[] = [];

  /**
   * Builds a tokenizer from its vocabulary (token strings by id: byte-level symbols, or the text of a
   * special token), its merges in rank order, and which vocabulary entries are special tokens.
   */
  constructor(
    readonly vocab: readonly string[],
    readonly merges: readonly Merge[],
    readonly specialTokens: readonly string[] = [],
  ) {
    if (vocab.length > MAX_TOKEN_ID)
      throw new LmkitError(`a BPE vocabulary holds at most ${MAX_TOKEN_ID} tokens (got ${vocab.length})`);
    vocab.forEach((t, id) => {
      if (this.ids.has(t)) throw new LmkitError(`BPE vocabulary: token ${JSON.stringify(t)} appears twice`);
      this.ids.set(t, id);
    });
    this.isSpecial = new Uint8Array(vocab.length);
    for (const s of specialTokens) {
      const id = this.ids.get(s);
      if (id === undefined)
        throw new LmkitError(`BPE vocabulary: special token ${JSON.stringify(s)} is not in the vocabulary`);
      if (s === '') throw new LmkitError('BPE vocabulary: a special token cannot be empty');
      this.specialIds.set(s, id);
      this.isSpecial[id] = 1;
    }
    this.tokenBytes = vocab.map((t, id) => {
      if (this.isSpecial[id]) return utf8(t);
      const bytes = symbolsToBytes(t);
      if (!bytes || bytes.length === 0)
        throw new LmkitError(
          `BPE vocabulary: token ${id} ${JSON.stringify(t)} is not a byte-level token (GPT-2 byte alphabet)`,
        );
      return bytes;
    });
    for (let b = 0; b < 256; b++) {
      const id = this.regularId(BYTE_SYMBOLS[b]);
      if (id === undefined)
        throw new LmkitError(
          `BPE vocabulary: byte 0x${b.toString(16).padStart(2, '0')} (${JSON.stringify(BYTE_SYMBOLS[b])}) has no token`,
          { hint: 'a byte-level vocabulary needs all 256 byte tokens' },
        );
      this.byteIds[b] = id;
    }
    merges.forEach(([left, right], rank) => {
      const l = this.regularId(left);
      const r = this.regularId(right);
      const m = this.regularId(left + right);
      if (l === undefined || r === undefined || m === undefined)
        throw new LmkitError(
          `BPE merge ${rank} (${JSON.stringify(left)} ${JSON.stringify(right)}) joins tokens that are not in the vocabulary`,
        );
      this.mergeTable.add(l, r, m);
    });
    this.special = specialTokenIds(this.specialIds);
    this.allSpecialPattern = specialTokenPattern(this.specialIds.keys());
  }

  /** A tokenizer with `tokens` added as special tokens after the vocabulary (those already special keep their ids). */
  withSpecialTokens(tokens: readonly string[]): BPETokenizer {
    const added = [...new Set(tokens)].filter((t) => !this.specialIds.has(t));
    for (const t of added)
      if (this.ids.has(t))
        throw new LmkitError(`${JSON.stringify(t)} is already an ordinary token; pick another special token`);
    return new BPETokenizer([...this.vocab, ...added], this.merges, [...this.specialTokens, ...added]);
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  /** Token ids of `text`; special tokens in it are recognized only as `opts.allowedSpecial` says. */
  encode(text: string, opts: BPEEncodeOptions = {}): number[] {
    const out: number[] = [];
    const pattern = this.patternFor(opts.allowedSpecial ?? 'none');
    for (const segment of splitSpecial(text, pattern)) {
      if (segment.special) out.push(this.specialIds.get(segment.text) as number);
      else this.encodeOrdinary(segment.text, out);
    }
    return out;
  }

  /** Text of `ids`; special tokens are dropped unless `opts.keepSpecial`. */
  decode(ids: readonly number[], opts: BPEDecodeOptions = {}): string {
    return new TextDecoder('utf-8', { ignoreBOM: true }).decode(this.decodeBytes(ids, opts));
  }

  /** The bytes of `ids`, joined (for streaming decoders that must not cut a UTF-8 character). */
  decodeBytes(ids: readonly number[], opts: BPEDecodeOptions = {}): Uint8Array {
    const keep = opts.keepSpecial ?? false;
    let length = 0;
    for (const id of ids) {
      this.checkId(id);
      if (keep || !this.isSpecial[id]) length += this.tokenBytes[id].length;
    }
    const out = new Uint8Array(length);
    let at = 0;
    for (const id of ids) {
      if (!keep && this.isSpecial[id]) continue;
      out.set(this.tokenBytes[id], at);
      at += this.tokenBytes[id].length;
    }
    return out;
  }

  idToToken(id: number): string {
    this.checkId(id);
    return this.vocab[id];
  }

  tokenToId(token: string): number | undefined {
    return this.ids.get(token);
  }

  /** Whether `id` is a special token. */
  isSpecialId(id: number): boolean {
    return this.isSpecial[id] === 1;
  }

  private encodeOrdinary(text: string, out: number[]): void {
    for (let start = 0; start < text.length;) {
      const end = preTokenEnd(text, start);
      const hash = WordTable.hash(text, start, end);
      const index = this.cache.find(text, start, end, hash);
      let ids: Int32Array;
      if (index >= 0) ids = this.cachedIds[index];
      else {
        const word = text.slice(start, end);
        ids = this.encodeWord(word);
        if (this.cache.size >= CACHE_LIMIT) {
          this.cache.clear();
          this.cachedIds = [];
        }
        this.cache.insert(word, hash);
        this.cachedIds.push(ids);
      }
      for (let i = 0; i < ids.length; i++) out.push(ids[i]);
      start = end;
    }
  }

  private encodeWord(word: string): Int32Array {
    const bytes = utf8(word);
    if (scratch.length < bytes.length) scratch = new Int32Array(Math.max(bytes.length, 2 * scratch.length));
    for (let i = 0; i < bytes.length; i++) scratch[i] = this.byteIds[bytes[i]];
    return scratch.slice(0, mergeByRank(scratch, bytes.length, this.mergeTable));
  }

  private patternFor(allowed: AllowedSpecial): RegExp | undefined {
    if (allowed === 'all') return this.allSpecialPattern;
    if (allowed === 'none') return undefined;
    for (const t of allowed)
      if (!this.specialIds.has(t))
        throw new LmkitError(`${JSON.stringify(t)} is not a special token of this tokenizer`);
    return specialTokenPattern(allowed);
  }

  private regularId(token: string): number | undefined {
    const id = this.ids.get(token);
    return id === undefined || this.isSpecial[id] ? undefined : id;
  }

  private checkId(id: number): void {
    if (!(Number.isInteger(id) && id >= 0 && id < this.vocab.length))
      throw new LmkitError(`token id ${id} is outside the vocabulary (0..${this.vocab.length - 1})`);
  }
}

/** The vocabulary of a byte-level BPE before any merge: the 256 byte tokens, in GPT-2's order. */
export function byteTokens(): string[] {
  return BYTE_ORDER.map((b) => BYTE_SYMBOLS[b]);
}

function specialTokenIds(ids: ReadonlyMap<string, number>): SpecialTokens {
  const first = (...names: string[]) => names.map((n) => ids.get(n)).find((id) => id !== undefined);
  return {
    bos: first(END_OF_TEXT, '<s>', '<|bos|>'),
    eos: first(END_OF_TEXT, '</s>', '<|eos|>'),
    pad: first('<pad>', '<|pad|>'),
  };
}
