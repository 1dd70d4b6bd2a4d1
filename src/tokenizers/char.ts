/**
 * Character-level tokenizer: every Unicode code point is a token (so Chinese characters, and each
 * code point of an emoji, are one token each; spaces and newlines are tokens too). Decoding
 * concatenates, so encode → decode gives the text back whenever every character is in the vocabulary.
 */
import { LmkitError } from '../errors.js';
import type { SpecialTokens, Tokenizer } from './tokenizer.js';
import { BOS_TOKEN, EOS_TOKEN, UNK_TOKEN, Vocabulary, type VocabJSON, type VocabOptions } from './vocab.js';

/** The JSON form of a character tokenizer (`kind: "char"`). */
export interface CharTokenizerJSON {
  kind: 'char';
  vocab: VocabJSON;
}

/** Splits text into its Unicode code points. */
export function splitChars(text: string): string[] {
  return Array.from(text);
}

/** Code points ↔ ids through a {@link Vocabulary}; characters not in it map to `<unk>`. */
export class CharTokenizer implements Tokenizer {
  readonly kind = 'char';
  readonly special: SpecialTokens;

  /** Wraps a vocabulary; it must hold `<unk>` so that every character can be encoded. */
  constructor(readonly vocab: Vocabulary) {
    this.special = vocab.specialTokens();
    if (this.special.unk === undefined)
      throw new LmkitError(`a character vocabulary needs the special token ${UNK_TOKEN}`);
  }

  /** Builds the vocabulary from training texts (default specials `<unk>`, `<s>`, `</s>`). */
  static train(texts: Iterable<string>, opts: VocabOptions = {}): CharTokenizer {
    function* chars() {
      for (const t of texts) yield* splitChars(t);
    }
    return new CharTokenizer(
      Vocabulary.fromTokens(chars(), {
        ...opts,
        specials: opts.specials ?? [UNK_TOKEN, BOS_TOKEN, EOS_TOKEN],
      }),
    );
  }

  get vocabSize(): number {
    return this.vocab.size;
  }

  encode(text: string): number[] {
    const unk = this.special.unk as number;
    const out: number[] = [];
    for (const ch of text) out.push(this.vocab.id(ch) ?? unk);
    return out;
  }

  decode(ids: readonly number[]): string {
    let out = '';
    for (const id of ids) if (!this.vocab.isSpecial(id)) out += this.vocab.token(id);
    return out;
  }

  idToToken(id: number): string {
    return this.vocab.token(id);
  }

  tokenToId(token: string): number | undefined {
    return this.vocab.id(token);
  }

  /** The JSON form, loadable by {@link CharTokenizer.fromJSON} or `loadTokenizer`. */
  toJSON(): CharTokenizerJSON {
    return { kind: 'char', vocab: this.vocab.toJSON() };
  }

  /** Rebuilds a character tokenizer from its JSON form. */
  static fromJSON(json: CharTokenizerJSON): CharTokenizer {
    return new CharTokenizer(Vocabulary.fromJSON(json.vocab));
  }
}
