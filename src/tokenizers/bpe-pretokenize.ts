/**
 * Pre-tokenization for byte-level BPE: special tokens are cut out first, then GPT-2's regex
 * (Radford et al. 2019) splits the rest into words that merges never cross. The regex keeps
 * English contractions apart ('s 't 're 've 'm 'll 'd), attaches one leading space to a run of
 * letters, of digits or of other symbols, and leaves a run of whitespace before a word one space
 * short, so the last space joins the word (`"a  b"` → `"a"`, `" "`, `" b"`).
 *
 * {@link preTokenize} is a hand-written scanner that gives exactly the matches of {@link GPT2_PATTERN}
 * run as a JavaScript regex with the `u` flag (as js-tiktoken runs it), several times faster. Classes
 * are JavaScript's: `\p{L}` letters, `\p{N}` numbers, `\s` whitespace (which differs from Python's
 * on a few rare characters: U+FEFF counts as space, U+001C..U+001F do not); a lone surrogate is "other".
 */

/** GPT-2's pre-tokenization pattern (global, Unicode): the definition {@link preTokenize} follows. */
export const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

const OTHER = 0;
const LETTER = 1;
const NUMBER = 2;
const SPACE = 3;

/** The class of every BMP code unit; surrogates stay OTHER and are handled by {@link classAt}. */
const BMP_CLASS = (() => {
  const table = new Uint8Array(0x10000);
  const units: number[] = [];
  for (let c = 0; c < 0x10000; c++) if (c < 0xd800 || c > 0xdfff) units.push(c);
  let all = '';
  for (let k = 0; k < units.length; k += 4096) all += String.fromCharCode(...units.slice(k, k + 4096));
  const classes: [number, RegExp][] = [
    [LETTER, /\p{L}/gu],
    [NUMBER, /\p{N}/gu],
    [SPACE, /\s/gu],
  ];
  for (const [cls, re] of classes) for (const m of all.matchAll(re)) table[m[0].charCodeAt(0)] = cls;
  return table;
})();

const astralClass = new Map<number, number>();

function classifyAstral(cp: number): number {
  let cls = astralClass.get(cp);
  if (cls === undefined) {
    const ch = String.fromCodePoint(cp);
    cls = /\p{L}/u.test(ch) ? LETTER : /\p{N}/u.test(ch) ? NUMBER : OTHER;
    astralClass.set(cp, cls);
  }
  return cls;
}

/** The class of the code point at `i` (a lone surrogate is OTHER). */
function classAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c < 0xd800 || c > 0xdbff) return BMP_CLASS[c];
  const d = text.charCodeAt(i + 1);
  return d >= 0xdc00 && d <= 0xdfff ? classifyAstral((c - 0xd800) * 0x400 + d - 0xdc00 + 0x10000) : OTHER;
}

/** The end of the run of code points of class `cls` starting at `i`. */
function runEnd(text: string, i: number, cls: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) {
      if (BMP_CLASS[c] !== cls) break;
      i++;
    } else {
      if (classAt(text, i) !== cls) break;
      const d = text.charCodeAt(i + 1);
      i += d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
    }
  }
  return i;
}

/** Length of the contraction ('s 't 're 've 'm 'll 'd) at `i`, which holds an apostrophe, or 0. */
function contractionLength(text: string, i: number): number {
  const a = text.charCodeAt(i + 1);
  if (a === 115 || a === 116 || a === 109 || a === 100) return 2; // s t m d
  const b = text.charCodeAt(i + 2);
  if ((a === 114 || a === 118) && b === 101) return 3; // re ve
  return a === 108 && b === 108 ? 3 : 0; // ll
}

/** The end of the GPT-2 pre-token that starts at `i` (the end of {@link GPT2_PATTERN}'s match there). */
export function preTokenEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 39) {
    const contraction = contractionLength(text, i);
    if (contraction > 0) return i + contraction;
  }
  const spaced = c === 32 && i + 1 < text.length && classAt(text, i + 1) !== SPACE;
  const from = spaced ? i + 1 : i;
  const cls = classAt(text, from);
  if (cls !== SPACE) return runEnd(text, from, cls);
  // \s+(?!\S) takes all but the last space of a run followed by a non-space; \s+ takes a lone one.
  const stop = runEnd(text, i, SPACE);
  return stop === text.length || stop - i === 1 ? stop : stop - 1;
}

/** Splits text into GPT-2 pre-tokens (the matches of {@link GPT2_PATTERN}); they concatenate to the text. */
export function preTokenize(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length;) {
    const end = preTokenEnd(text, i);
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

/** A piece of text between special tokens, or one special token. */
export interface Segment {
  text: string;
  special: boolean;
}

/** A regex matching any of `tokens`, longest first, so `<|a|>x` wins over its prefix `<|a|>`. */
export function specialTokenPattern(tokens: Iterable<string>): RegExp | undefined {
  const sorted = [...tokens].sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return undefined;
  return new RegExp(sorted.map((t) => t.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')).join('|'), 'g');
}

/** Cuts text at the matches of `pattern` (from {@link specialTokenPattern}), left to right. */
export function splitSpecial(text: string, pattern: RegExp | undefined): Segment[] {
  if (!pattern) return [{ text, special: false }];
  const out: Segment[] = [];
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    if (m.index > last) out.push({ text: text.slice(last, m.index), special: false });
    out.push({ text: m[0], special: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), special: false });
  return out;
}
