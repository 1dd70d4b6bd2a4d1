/** Finding the parts of a text a tokenizer cannot represent (they would become `<unk>`), to warn about them. */
import type { Tokenizer } from './tokenizer.js';

/**
 * The distinct pieces of `text` that `tokenizer` encodes as its unknown token: characters for a
 * character tokenizer, whitespace-separated words otherwise (empty when it has no unknown token).
 */
export function unknownPieces(tokenizer: Tokenizer, text: string): string[] {
  const unk = tokenizer.special.unk;
  if (unk === undefined || !tokenizer.encode(text).includes(unk)) return [];
  const pieces = tokenizer.kind === 'char' ? [...text] : text.split(/\s+/).filter(Boolean);
  const unknown = new Set<string>();
  for (const p of pieces) if (tokenizer.encode(p).includes(unk)) unknown.add(p);
  return [...unknown];
}
