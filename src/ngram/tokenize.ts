/**
 * How n-gram models split a sentence into tokens. `word`: on runs of space, tab, CR, LF and NUL, as
 * KenLM does. `char`: every Unicode code point is a token (so Chinese works); a run of whitespace
 * becomes the single token ▁ (U+2581), since ARPA files cannot hold a space inside a token.
 */
export type TokenLevel = 'word' | 'char';

/** The token that stands for whitespace in character-level models. */
export const SPACE_TOKEN = '\u2581';

const WORD_SEPARATORS = /[ \t\r\n\0]+/;

/** Splits one sentence into tokens at the given level. */
export function tokenizeSentence(line: string, level: TokenLevel): string[] {
  if (level === 'word') {
    const tokens = line.split(WORD_SEPARATORS);
    if (tokens.length && tokens[0] === '') tokens.shift();
    if (tokens.length && tokens[tokens.length - 1] === '') tokens.pop();
    return tokens;
  }
  const out: string[] = [];
  let space = false;
  for (const ch of line.trim()) {
    if (/\s/u.test(ch)) {
      space = true;
      continue;
    }
    if (space) out.push(SPACE_TOKEN);
    space = false;
    out.push(ch);
  }
  return out;
}

/** Joins tokens back into text at the given level. */
export function detokenize(tokens: readonly string[], level: TokenLevel): string {
  if (level === 'word') return tokens.join(' ');
  return tokens.map((t) => (t === SPACE_TOKEN ? ' ' : t)).join('');
}

/** Splits file text into sentences, one per line (a final newline does not start an empty sentence). */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}
