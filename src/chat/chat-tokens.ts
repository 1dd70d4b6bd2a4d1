/**
 * Giving a tokenizer the chat special tokens {@link CHAT_TOKENS}, so a pretrained model can be
 * fine-tuned on conversations. BPE appends them after its vocabulary (every old id keeps its place);
 * character and word vocabularies keep their specials first, so the chat tokens go after the old
 * specials and ordinary tokens move up by four. `oldToNew` says where each old id went, so a model's
 * embedding rows can follow (see growGPTVocabulary in src/models/gpt-vocab.ts).
 */
import { LmkitError } from '../errors.js';
import { BPETokenizer } from '../tokenizers/bpe.js';
import { CharTokenizer } from '../tokenizers/char.js';
import type { SavableTokenizer } from '../tokenizers/tokenizer-file.js';
import { Vocabulary } from '../tokenizers/vocab.js';
import { WordTokenizer } from '../tokenizers/word.js';
import { CHAT_TOKENS, chatTokenIds } from './template.js';

/** A tokenizer with the chat tokens and the new id of each old id (oldToNew[old] = new). */
export interface WithChatTokens {
  tokenizer: SavableTokenizer;
  oldToNew: Int32Array;
  /** How many tokens were added (0 when the tokenizer already had them all). */
  added: number;
}

/** The tokenizer with the chat tokens added (unchanged when it has them all). */
export function addChatTokens(tokenizer: SavableTokenizer): WithChatTokens {
  const identity = Int32Array.from({ length: tokenizer.vocabSize }, (_, i) => i);
  if (chatTokenIds(tokenizer)) return { tokenizer, oldToNew: identity, added: 0 };
  const chat: string[] = Object.values(CHAT_TOKENS);
  if (tokenizer instanceof BPETokenizer) {
    const grown = tokenizer.withSpecialTokens(chat);
    return { tokenizer: grown, oldToNew: identity, added: grown.vocabSize - tokenizer.vocabSize };
  }
  const json = tokenizer.vocab.toJSON();
  for (const t of chat)
    if (json.tokens.includes(t) && !json.specials.includes(t))
      throw new LmkitError(
        `${JSON.stringify(t)} is an ordinary token of this vocabulary, so it cannot be a chat token`,
      );
  const missing = chat.filter((t) => !json.specials.includes(t));
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
