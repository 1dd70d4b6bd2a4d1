/** Optional text normalisation applied to sentences before splitting; none of it is a default. */
import { splitRegex } from '../tokenizers/word.js';

/**
 * How text was prepared for a model: re-flowed into one sentence per line, punctuation split off words,
 * classic cleaning, lowercasing.
 */
export interface Preprocessing {
  lowercase: boolean;
  clean: boolean;
  tokenize: boolean;
  /** Text re-flowed into one sentence per line (an n-gram's unit; `lmkit train --sentences`); false: as written. */
  sentences: boolean;
}

/** Prepares one sentence (or prompt) as `p` says: punctuation split first, then cleaning or lowercasing. */
export function prepareText(p: Partial<Preprocessing>, text: string): string {
  const split = p.tokenize ? splitRegex(text).join(' ') : text;
  if (p.clean) return classicClean(split);
  return p.lowercase ? lowercase(split) : split;
}

/** Lowercases a sentence (Unicode-aware). */
export function lowercase(sentence: string): string {
  return sentence.toLowerCase();
}

/**
 * The classic cleaning recipe of many LM tutorials: lowercase, turn every non-letter into a space,
 * drop words shorter than 3 letters; words are joined by single spaces ("" when nothing is left).
 */
export function classicClean(sentence: string): string {
  return sentence
    .toLowerCase()
    .split(/\P{L}+/u)
    .filter((w) => [...w].length >= 3)
    .join(' ');
}
