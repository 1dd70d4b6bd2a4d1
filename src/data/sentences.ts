/**
 * Text → sentences. `lines`: one sentence per line. `raw`: running text split into sentences, for
 * English (. ! ? followed by a space and a capital or an opening quote, except after common
 * abbreviations and initials) and Chinese (。！？；… and any closing quotes after them).
 * `auto` picks between the two; its rule is documented at {@link detectFormat}.
 */

/** How a text file holds its sentences. */
export type TextFormat = 'lines' | 'raw' | 'auto';

export const TEXT_FORMATS: readonly TextFormat[] = ['lines', 'raw', 'auto'];

/** Splits `text` into sentences according to `format` (`auto` resolves through {@link detectFormat}). */
export function toSentences(text: string, format: TextFormat = 'auto'): string[] {
  const resolved = format === 'auto' ? detectFormat(text) : format;
  return resolved === 'lines' ? splitLines(text) : splitRawText(text);
}

/** One sentence per line: lines are trimmed, blank lines skipped. */
export function splitLines(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const s = line.trim();
    if (s) out.push(s);
  }
  return out;
}

/**
 * Sentence splitting of running text. Blank lines end paragraphs; inside a paragraph, line breaks
 * count as spaces (none between two CJK characters), control characters as spaces, and runs of
 * whitespace become one space.
 */
export function splitRawText(text: string): string[] {
  const out: string[] = [];
  for (const paragraph of text.split(/\n[^\S\n]*\n/)) {
    const flat = joinLines(paragraph);
    if (flat) for (const s of splitParagraph(flat)) out.push(s);
  }
  return out;
}

/**
 * `auto` rule, over the first 1000 non-blank lines: `raw` when more than 10% of them hold a sentence
 * boundary inside the line (paragraph-per-line text), or when the text has sentence-final punctuation
 * but fewer than half of the lines end with it (wrapped prose); otherwise `lines`.
 */
export function detectFormat(text: string): 'lines' | 'raw' {
  const lines = splitLines(text).slice(0, 1000);
  if (lines.length === 0) return 'lines';
  let multi = 0;
  let ending = 0;
  let anyFinal = false;
  for (const line of lines) {
    if (splitParagraph(line.replace(/\s+/g, ' ')).length > 1) multi++;
    if (FINAL_AT_END.test(line)) ending++;
    if (!anyFinal && FINAL_ANYWHERE.test(line)) anyFinal = true;
  }
  if (multi > 0.1 * lines.length) return 'raw';
  if (anyFinal && ending < 0.5 * lines.length) return 'raw';
  return 'lines';
}

const CLOSERS = `"'”’」』）)》〉\\]`;
const FINAL_AT_END = new RegExp(`[.!?。！？；…][${CLOSERS}]*$`, 'u');
const FINAL_ANYWHERE = /[.!?。！？；…]/u;
/** Chinese end of sentence: the punctuation and any closing quotes or brackets right after it. */
const ZH_END = new RegExp(`[。！？；…]+[${CLOSERS}]*`, 'gu');
/** English end of sentence: . ! ? (plus closers), then whitespace, then a capital or an opening quote/bracket. */
const EN_END = new RegExp(`[.!?]+[${CLOSERS}]*(?=\\s+[\\p{Lu}"'“‘(\\[])`, 'gu');
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]/u;

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

function joinLines(paragraph: string): string {
  const lines = paragraph
    .replace(/[\p{Cc}]/gu, (c) => (c === '\n' ? '\n' : ' '))
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter((l) => l);
  let out = lines[0] ?? '';
  for (let i = 1; i < lines.length; i++) {
    const cjkJoin = CJK.test(out[out.length - 1]) && CJK.test(lines[i][0]);
    out += (cjkJoin ? '' : ' ') + lines[i];
  }
  return out;
}

function splitParagraph(text: string): string[] {
  const cuts: number[] = [];
  for (const m of text.matchAll(ZH_END)) cuts.push(m.index + m[0].length);
  for (const m of text.matchAll(EN_END)) {
    if (/^\.(?![.!?])/.test(m[0]) && isAbbreviation(text, m.index)) continue;
    cuts.push(m.index + m[0].length);
  }
  cuts.sort((a, b) => a - b);
  const out: string[] = [];
  let start = 0;
  for (const cut of cuts) {
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
  const word = /[^\s"'“‘([]*$/u.exec(text.slice(Math.max(0, dot - 40), dot))?.[0] ?? '';
  if (word === '') return false;
  if (/^\p{L}$/u.test(word) || /^(\p{L}\.)+\p{L}$/u.test(word)) return true;
  return ABBREVIATIONS.has(word.toLowerCase());
}
