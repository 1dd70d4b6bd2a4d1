/**
 * Where sentences end inside running text, for English (. ! ? followed by a space and a capital or an
 * opening quote, except after common abbreviations and initials) and Chinese (。！？；… and any closing
 * quotes after them). {@link sentenceEnds} finds the ends in one stretch of a paragraph, so a paragraph
 * can be cut while it is still being read.
 */

const CLOSERS = `"'”’」』）)》〉\\]`;
/** A line that ends with sentence-final punctuation (and any closers). */
export const FINAL_AT_END = new RegExp(`[.!?。！？；…][${CLOSERS}]*$`, 'u');
/** Sentence-final punctuation anywhere. */
export const FINAL_ANYWHERE = /[.!?。！？；…]/u;
/** Chinese end of sentence: the punctuation and any closing quotes or brackets right after it. */
const ZH_END = new RegExp(`[。！？；…]+[${CLOSERS}]*`, 'gu');
/** English end of sentence: . ! ? (plus closers), then whitespace, then a capital or an opening quote/bracket. */
const EN_END = new RegExp(`[.!?]+[${CLOSERS}]*(?=\\s+[\\p{Lu}"'“‘(\\[])`, 'gu');
/** The characters a sentence end is made of (punctuation, closers, the whitespace after them). */
const END_PART = new RegExp(`[.!?。！？；…${CLOSERS}\\s]`);
/** Han, kana and CJK punctuation: no space is put between two of them when lines are joined. */
export const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]/u;
/** How far before a period {@link isAbbreviation} looks for the word it ends. */
export const LOOK_BEHIND = 40;

/**
 * Words that end in a period without ending a sentence (compared lowercased, without the final period).
 * Single letters (initials, "J.") and dotted acronyms ("U.S", "e.g", "a.m") are recognised by shape.
 */
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'messrs',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'mt',
  'ft',
  'rev',
  'hon',
  'gen',
  'gov',
  'sen',
  'rep',
  'col',
  'lt',
  'capt',
  'sgt',
  'maj',
  'adm',
  'pres',
  'vs',
  'cf',
  'al',
  'inc',
  'ltd',
  'co',
  'corp',
  'bros',
  'dept',
  'univ',
  'approx',
]);

/**
 * The sentence ends (offsets just after the end's last character, ascending) whose match starts in
 * text[from, to). The caller guarantees that text[to..] cannot change how a match starting before `to`
 * reads (see {@link settledUpTo}) and that `text` holds the {@link LOOK_BEHIND} characters before any
 * period at or after `from` (or the paragraph's start).
 */
export function sentenceEnds(text: string, from = 0, to = text.length): number[] {
  const cuts: number[] = [];
  ZH_END.lastIndex = from;
  for (let m = ZH_END.exec(text); m && m.index < to; m = ZH_END.exec(text)) cuts.push(m.index + m[0].length);
  EN_END.lastIndex = from;
  for (let m = EN_END.exec(text); m && m.index < to; m = EN_END.exec(text)) {
    if (/^\.(?![.!?])/.test(m[0]) && isAbbreviation(text, m.index)) continue;
    cuts.push(m.index + m[0].length);
  }
  return cuts.sort((a, b) => a - b);
}

/**
 * The offset of the last character of `text` (from `from` on) that cannot be part of a sentence end,
 * or `from` when there is none: every match starting before it has been read whole, whatever follows.
 */
export function settledUpTo(text: string, from: number): number {
  let i = text.length - 1;
  while (i > from && END_PART.test(text[i])) i--;
  return Math.max(i, from);
}

/** Splits a paragraph already on one line (single spaces) into its sentences. */
export function splitParagraph(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (const cut of sentenceEnds(text)) {
    const s = text.slice(start, cut).trim();
    if (s) {
      out.push(s);
      start = cut;
    }
  }
  const rest = text.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

/** Whether the word ending at `dot` (the index of a single period) is an abbreviation or an initial. */
function isAbbreviation(text: string, dot: number): boolean {
  const word = /[^\s"'“‘([]*$/u.exec(text.slice(Math.max(0, dot - LOOK_BEHIND), dot))?.[0] ?? '';
  if (word === '') return false;
  if (/^\p{L}$/u.test(word) || /^(\p{L}\.)+\p{L}$/u.test(word)) return true;
  return ABBREVIATIONS.has(word.toLowerCase());
}
