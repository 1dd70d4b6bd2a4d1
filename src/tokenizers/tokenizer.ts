/** Text <-> token ids. Every model carries one; n-gram, neural and chat code only talk through this. */
import { LmkitError } from '../errors.js';

/** Text <-> token ids, with the special tokens a model uses. */
export interface Tokenizer {
  /** "word" | "char" | "bpe" */
  readonly kind: string;
  /** Number of token ids, specials included. */
  readonly vocabSize: number;
  /** Ids of the special tokens this tokenizer has (beginning/end of sequence, unknown, padding). */
  readonly special: SpecialTokens;
  /** Splits text into token ids (unknown pieces map to `special.unk` when there is one). */
  encode(text: string): number[];
  /** Joins token ids back into text; special tokens are dropped. */
  decode(ids: readonly number[]): string;
  /** The string form of one token id. */
  idToToken(id: number): string;
  /** The id of a token string, or undefined when it is not in the vocabulary. */
  tokenToId(token: string): number | undefined;
}

/** Ids of special tokens; absent when a tokenizer has no such token. */
export interface SpecialTokens {
  bos?: number;
  eos?: number;
  unk?: number;
  pad?: number;
}

/** Throws when `t` is not a token id of a vocabulary of `vocabSize`. */
export function checkTokenId(t: number, vocabSize: number): void {
  if (!Number.isInteger(t) || t < 0 || t >= vocabSize)
    throw new LmkitError(`token id ${t} is outside the vocabulary of ${vocabSize}`);
}
