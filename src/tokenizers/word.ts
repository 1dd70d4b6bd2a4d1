/**
 * Word-level tokenizer: a pre-tokenizer cuts text into words, a vocabulary maps them to ids.
 * - `whitespace`: split on runs of space, tab, CR, LF and NUL, as KenLM does.
 * - `regex`: Unicode-aware punctuation split. A word is letters, marks and digits, with inner
 *   apostrophes and hyphens kept (`don't`, `o'clock`, `well-known` stay one word); a number keeps its
 *   inner `.` and `,` (`3.14`, `1,000`); every Han character is its own word; any other
 *   non-space character is a word by itself: `"Hello, world!"` → `" Hello , world ! "`.
 * Decoding joins words with single spaces (the original spacing is not kept).
 */
import { LmkitError } from '../errors.js';
import type { SpecialTokens, Tokenizer } from './tokenizer.js';
import { BOS_TOKEN, EOS_TOKEN, UNK_TOKEN, Vocabulary, type VocabJSON, type VocabOptions } from './vocab.js';
import { showValue } from '../util/show-value.js';

export type PreTokenizer = 'whitespace' | 'regex';

export const PRE_TOKENIZERS: readonly PreTokenizer[] = ['whitespace', 'regex'];

/** The JSON form of a word tokenizer (`kind: "word"`). */
export interface WordTokenizerJSON {
  kind: 'word';
  preTokenizer: PreTokenizer;
  lowercase: boolean;
  vocab: VocabJSON;
}

/** Options of {@link WordTokenizer.train}. */
export interface WordTrainOptions extends VocabOptions {
  preTokenizer?: PreTokenizer;
  lowercase?: boolean;
}

const WHITESPACE = /[ \t\r\n\0]+/;
const WORD = '[[\\p{L}\\p{M}\\p{N}]--\\p{Script=Han}]';
const REGEX_WORDS = new RegExp(
  `\\p{N}+(?:[.,]\\p{N}+)+|\\p{Script=Han}|${WORD}+(?:['’\\-]${WORD}+)*|[^\\s]`,
  'gv',
);

/** Splits text on runs of space, tab, CR, LF and NUL (no empty words). */
export function splitWhitespace(text: string): string[] {
  return text.split(WHITESPACE).filter((w) => w);
}

/** Splits text into words and punctuation marks with the `regex` rules above. */
export function splitRegex(text: string): string[] {
  return text.match(REGEX_WORDS) ?? [];
}

/** Words ↔ ids through a {@link Vocabulary}; unknown words map to `<unk>`. */
export class WordTokenizer implements Tokenizer {
  readonly kind = 'word';
  readonly special: SpecialTokens;

  /** Wraps a vocabulary; it must hold `<unk>` so that every word can be encoded. */
  constructor(
    readonly vocab: Vocabulary,
    readonly preTokenizer: PreTokenizer = 'whitespace',
    readonly lowercase = false,
  ) {
    this.special = vocab.specialTokens();
    if (this.special.unk === undefined)
      throw new LmkitError(`a word vocabulary needs the special token ${UNK_TOKEN}`);
  }

  /** Builds the vocabulary from training texts (default specials `<unk>`, `<s>`, `</s>`). */
  static train(texts: Iterable<string>, opts: WordTrainOptions = {}): WordTokenizer {
    const preTokenizer = opts.preTokenizer ?? 'whitespace';
    const lowercase = opts.lowercase ?? false;
    const split = preTokenizer === 'regex' ? splitRegex : splitWhitespace;
    function* words() {
      for (const t of texts) yield* split(lowercase ? t.toLowerCase() : t);
    }
    const vocab = Vocabulary.fromTokens(words(), {
      ...opts,
      specials: opts.specials ?? [UNK_TOKEN, BOS_TOKEN, EOS_TOKEN],
    });
    return new WordTokenizer(vocab, preTokenizer, lowercase);
  }

  get vocabSize(): number {
    return this.vocab.size;
  }

  /** The words of `text` after lowercasing (if set) and pre-tokenization. */
  words(text: string): string[] {
    const t = this.lowercase ? text.toLowerCase() : text;
    return this.preTokenizer === 'regex' ? splitRegex(t) : splitWhitespace(t);
  }

  /** Word ids; a word spelled like a special token (`<s>`, `<|user|>`) is text, so it encodes as `<unk>`. */
  encode(text: string): number[] {
    const unk = this.special.unk as number;
    return this.words(text).map((w) => {
      const id = this.vocab.id(w);
      return id === undefined || this.vocab.isSpecial(id) ? unk : id;
    });
  }

  decode(ids: readonly number[]): string {
    return ids
      .filter((id) => !this.vocab.isSpecial(id))
      .map((id) => this.vocab.token(id))
      .join(' ');
  }

  idToToken(id: number): string {
    return this.vocab.token(id);
  }

  tokenToId(token: string): number | undefined {
    return this.vocab.id(token);
  }

  /** The JSON form, loadable by {@link WordTokenizer.fromJSON} or `loadTokenizer`. */
  toJSON(): WordTokenizerJSON {
    return {
      kind: 'word',
      preTokenizer: this.preTokenizer,
      lowercase: this.lowercase,
      vocab: this.vocab.toJSON(),
    };
  }

  /** Rebuilds a word tokenizer from its JSON form. */
  static fromJSON(json: WordTokenizerJSON): WordTokenizer {
    if (!PRE_TOKENIZERS.includes(json.preTokenizer)) {
      throw new LmkitError(`unknown word pre-tokenizer ${showValue(json.preTokenizer)}`, {
        hint: `expected one of ${PRE_TOKENIZERS.join(', ')}`,
      });
    }
    return new WordTokenizer(Vocabulary.fromJSON(json.vocab), json.preTokenizer, json.lowercase === true);
  }
}
