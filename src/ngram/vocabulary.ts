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

/** The vocabulary of an n-gram model. */
export class NGramVocabulary {
  readonly words: string[] = [UNK_WORD, BOS_WORD, EOS_WORD];
  private readonly ids = new Map<string, number>([
    [UNK_WORD, UNK],
    [BOS_WORD, BOS],
    [EOS_WORD, EOS],
  ]);

  /** Number of ids, specials included. */
  get size(): number {
    return this.words.length;
  }

  /** The id of `word`, or `<unk>`'s id when it is not in the vocabulary. */
  idOf(word: string): number {
    return this.ids.get(word) ?? UNK;
  }

  /** The id of `word`, or undefined when it is not in the vocabulary. */
  lookup(word: string): number | undefined {
    return this.ids.get(word);
  }

  /** The id of `word`, adding it when new. */
  add(word: string): number {
    let id = this.ids.get(word);
    if (id === undefined) {
      id = this.words.length;
      this.words.push(word);
      this.ids.set(word, id);
    }
    return id;
  }

  /** Builds a vocabulary from words listed in id order (the first three must be the specials). */
  static fromWords(words: readonly string[]): NGramVocabulary {
    const v = new NGramVocabulary();
    for (let i = 0; i < words.length; i++) {
      if (i < 3) {
        if (words[i] !== v.words[i]) {
          throw new LmkitError(
            `vocabulary entry ${i} should be ${v.words[i]}, found ${JSON.stringify(words[i])}`,
          );
        }
        continue;
      }
      if (v.add(words[i]) !== i)
        throw new LmkitError(`word ${JSON.stringify(words[i])} appears twice in the vocabulary`);
    }
    return v;
  }
}
