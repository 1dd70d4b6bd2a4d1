/**
 * GPT-2's byte-level alphabet (Radford et al. 2019). Every byte value gets one printable Unicode
 * character, so byte sequences can be written as ordinary strings in vocab and merges files: the
 * printable Latin-1 bytes ('!'..'~', '¡'..'¬', '®'..'ÿ') stand for themselves, and the other 68
 * bytes (controls, space, DEL, no-break space, soft hyphen) take U+0100, U+0101, ... in byte order,
 * so a space is 'Ġ' and a newline is 'Ċ'.
 *
 * Token ids 0..255 of every byte-level BPE in lmkit follow GPT-2's order: the self-standing bytes
 * first, in byte order, then the others.
 */

function selfStanding(b: number): boolean {
  return (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
}

function buildAlphabet(): { order: number[]; chars: string[] } {
  const order: number[] = [];
  const chars: string[] = new Array(256);
  for (let b = 0; b < 256; b++) {
    if (selfStanding(b)) {
      order.push(b);
      chars[b] = String.fromCharCode(b);
    }
  }
  let next = 0x100;
  for (let b = 0; b < 256; b++) {
    if (!selfStanding(b)) {
      order.push(b);
      chars[b] = String.fromCharCode(next++);
    }
  }
  return { order, chars };
}

const ALPHABET = buildAlphabet();

/** BYTE_ORDER[id] is the byte value of base token `id` (ids 0..255, GPT-2's order). */
export const BYTE_ORDER: readonly number[] = ALPHABET.order;

/** BYTE_SYMBOLS[b] is the one-character string standing for byte `b`. */
export const BYTE_SYMBOLS: readonly string[] = ALPHABET.chars;

/** SYMBOL_TO_BYTE[c] is the byte that character code c stands for, or -1 (codes run up to U+0143). */
const SYMBOL_TO_BYTE = new Int16Array(0x144).fill(-1);
BYTE_SYMBOLS.forEach((s, b) => (SYMBOL_TO_BYTE[s.charCodeAt(0)] = b));

/** Writes bytes as a byte-level symbol string (one character per byte). */
export function bytesToSymbols(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += BYTE_SYMBOLS[b];
  return s;
}

/** Reads a byte-level symbol string back into bytes; undefined when a character is outside the alphabet. */
export function symbolsToBytes(symbols: string): Uint8Array | undefined {
  const out = new Uint8Array(symbols.length);
  for (let i = 0; i < symbols.length; i++) {
    const c = symbols.charCodeAt(i);
    const b = c < SYMBOL_TO_BYTE.length ? SYMBOL_TO_BYTE[c] : -1;
    if (b < 0) return undefined;
    out[i] = b;
  }
  return out;
}

const encoder = new TextEncoder();

/** The UTF-8 bytes of `text`; a lone surrogate (not valid Unicode) becomes U+FFFD, as TextEncoder does. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}
