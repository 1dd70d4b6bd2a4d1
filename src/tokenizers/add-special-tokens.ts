/**
 * Giving a tokenizer more special tokens (chat roles, BERT's [CLS] [SEP] [MASK] [PAD]). BPE appends them after
 * its vocabulary (every old id keeps its place); character and word vocabularies keep their specials first,
 * so the new ones go after the old specials and ordinary tokens move up. `oldToNew` says where each old id
 * went, so a model's embedding rows can follow.
 */
import { LmkitError } from '../errors.js';
import { BPETokenizer } from './bpe.js';
import { CharTokenizer } from './char.js';
import type { SavableTokenizer } from './tokenizer-file.js';
import { Vocabulary } from './vocab.js';
import { WordTokenizer } from './word.js';

/** A tokenizer with tokens added and the new id of each old id (oldToNew[old] = new). */
export interface WithSpecialTokens {
  tokenizer: SavableTokenizer;
  oldToNew: Int32Array;
  /** How many tokens were added (0 when the tokenizer already had them all). */
  added: number;
}

/** The tokenizer with `tokens` as special tokens (those it has already are kept where they are). */
export function addSpecialTokens(tokenizer: SavableTokenizer, tokens: readonly string[]): WithSpecialTokens {
  const identity = Int32Array.from({ length: tokenizer.vocabSize }, (_, i) => i);
  if (tokenizer instanceof BPETokenizer) {
    const grown = tokenizer.withSpecialTokens(tokens);
    return { tokenizer: grown, oldToNew: identity, added: grown.vocabSize - tokenizer.vocabSize };
  }
  const json = tokenizer.vocab.toJSON();
  for (const t of tokens)
    if (json.tokens.includes(t) && !json.specials.includes(t))
      throw new LmkitError(
        `${JSON.stringify(t)} is an ordinary token of this vocabulary, so it cannot be a special token`,
      );
  const missing = tokens.filter((t) => !json.specials.includes(t));
  if (missing.length === 0) return { tokenizer, oldToNew: identity, added: 0 };
  const specials = [...json.specials, ...missing];
  const regular = json.tokens.slice(json.specials.length);
  const vocab = Vocabulary.fromJSON({
    specials,
    tokens: [...specials, ...regular],
    counts: [
      ...json.counts.slice(0, json.specials.length),
      ...missing.map(() => 0),
      ...json.counts.slice(json.specials.length),
    ],
  });
  const oldToNew = identity.map((id) => (id < json.specials.length ? id : id + missing.length));
  const grown =
    tokenizer instanceof CharTokenizer
      ? new CharTokenizer(vocab)
      : WordTokenizer.fromJSON({ ...tokenizer.toJSON(), vocab: vocab.toJSON() });
  return { tokenizer: grown, oldToNew, added: missing.length };
}
