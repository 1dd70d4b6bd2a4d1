/** Optional text normalisation applied to sentences before splitting; none of it is a default. */

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
