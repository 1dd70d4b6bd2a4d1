/**
 * Giving a tokenizer the chat special tokens {@link CHAT_TOKENS}, so a pretrained model can be fine-tuned on
 * conversations (tokenizers/add-special-tokens.ts: BPE appends them, character and word vocabularies move
 * their ordinary tokens up by four); `oldToNew` lets a model's embedding rows follow (see growGPTVocabulary
 * in src/models/gpt-vocab.ts).
 */
import { addSpecialTokens, type WithSpecialTokens } from '../tokenizers/add-special-tokens.js';
import type { SavableTokenizer } from '../tokenizers/tokenizer-file.js';
import { CHAT_TOKENS, chatTokenIds } from './template.js';

/** A tokenizer with the chat tokens and the new id of each old id (oldToNew[old] = new). */
export type WithChatTokens = WithSpecialTokens;

/** The tokenizer with the chat tokens added (unchanged when it has them all). */
export function addChatTokens(tokenizer: SavableTokenizer): WithChatTokens {
  if (chatTokenIds(tokenizer))
    return { tokenizer, oldToNew: Int32Array.from({ length: tokenizer.vocabSize }, (_, i) => i), added: 0 };
  return addSpecialTokens(tokenizer, Object.values(CHAT_TOKENS));
}
