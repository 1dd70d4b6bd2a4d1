/**
 * The one rule for what separates lines in a model's training stream, which every neural model starts
 * decoding from (the context before the first line) and evaluation ends sentences with: the tokens of a
 * line break ("\n") when the tokenizer encodes it without `<unk>` (character and byte-level BPE streams
 * join lines with "\n"), else `</s>` (a word tokenizer drops "\n", and word streams end each sentence in
 * `</s>`), else `<s>`; empty when the tokenizer has none of these.
 */
import type { Tokenizer } from './tokenizer.js';

/** The token ids that separate lines in a training stream for this tokenizer (see the module comment). */
export function lineBreakTokens(tokenizer: Tokenizer): number[] {
  const nl = tokenizer.encode('\n');
  const unk = tokenizer.special.unk;
  if (nl.length > 0 && (unk === undefined || !nl.includes(unk))) return nl;
  const s = tokenizer.special;
  const fallback = s.eos ?? s.bos;
  return fallback === undefined ? [] : [fallback];
}

/** The one token a fixed-window model pads with and a recurrent model starts from: the line break's last token, else id 0. */
export function lineBreakToken(tokenizer: Tokenizer): number {
  return lineBreakTokens(tokenizer).at(-1) ?? 0;
}

/**
 * A text as the one token stream a model trains on and is scored on: the tokenizer's encoding of the
 * whole text where it encodes line breaks; for a tokenizer that drops them (words), each line's tokens
 * followed by the line-break token (`</s>`), so lines stay apart.
 */
export function encodeStream(tokenizer: Tokenizer, text: string): Int32Array {
  if (tokenizer.kind !== 'word') return Int32Array.from(tokenizer.encode(text));
  const sep = lineBreakToken(tokenizer);
  return Int32Array.from(text.split('\n').flatMap((line) => [...tokenizer.encode(line), sep]));
}
