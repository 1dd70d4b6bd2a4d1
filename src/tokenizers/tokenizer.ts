/** Text <-> token ids. Every model carries one; n-gram, neural and chat code only talk through this. */
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
