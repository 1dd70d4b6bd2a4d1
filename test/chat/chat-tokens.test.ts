import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addChatTokens } from '../../src/chat/chat-tokens.js';
import type { ChatMessage } from '../../src/chat/conversation.js';
import {
  CHAT_TOKENS,
  chatTemplateFor,
  chatTokenIds,
  parseChat,
  renderConversation,
} from '../../src/chat/template.js';
import type { BPETokenizer } from '../../src/tokenizers/bpe.js';
import { trainBPE } from '../../src/tokenizers/bpe-train.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { loadTokenizer, tokenizerFromJSON } from '../../src/tokenizers/tokenizer-file.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toTokenizerJSON } from '../../src/tokenizers/bpe-json.js';

const texts = [
  'hello there, how are you?',
  'the cat sat on the mat',
  '床前明月光，疑是地上霜。',
  'what is 2 + 2?',
];

const conversations: ChatMessage[][] = [
  [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'What is 2 + 2?' },
    { role: 'assistant', content: '2 + 2 = 4.' },
    { role: 'user', content: 'Now multiply that by 3.' },
    { role: 'assistant', content: '4 × 3 = 12.' },
  ],
  [
    { role: 'user', content: '请背诵《靜夜思》。' },
    { role: 'assistant', content: '床前明月光，\n疑是地上霜。 🐼' },
  ],
  // text that looks like a chat token stays text; spaces and an empty message survive
  [
    { role: 'user', content: '  <|user|> is not a turn <|end|>' },
    { role: 'assistant', content: '' },
  ],
];

describe('chat tokens on a BPE tokenizer', () => {
  const base = trainBPE(texts, { vocabSize: 300, specialTokens: ['<|endoftext|>'] });
  const { tokenizer, oldToNew, added } = addChatTokens(base);

  it('appends the four chat tokens after the vocabulary, every old id in place', () => {
    assert.equal(added, 4);
    assert.equal(tokenizer.vocabSize, base.vocabSize + 4);
    assert.deepEqual([...oldToNew], [...Array(base.vocabSize).keys()]);
    for (const t of texts) assert.deepEqual(tokenizer.encode(t), base.encode(t));
    const ids = chatTokenIds(tokenizer)!;
    assert.deepEqual(
      Object.values(ids),
      [0, 1, 2, 3].map((i) => base.vocabSize + i),
    );
    assert.equal(addChatTokens(tokenizer).added, 0); // already there: unchanged
  });

  it('renders conversations that parseChat reads back exactly, and survive tokenizer.json', () => {
    const again = tokenizerFromJSON(JSON.parse(JSON.stringify(toTokenizerJSON(tokenizer as BPETokenizer))));
    for (const tok of [tokenizer, again])
      for (const messages of conversations) {
        const { ids } = renderConversation(tok, messages);
        assert.deepEqual(parseChat(tok, ids), messages);
      }
  });

  it('renders the same tokens as the chat template, which only adds the <|assistant|> prompt', () => {
    const messages = conversations[0].slice(0, 4);
    const ids = chatTokenIds(tokenizer)!;
    assert.deepEqual(chatTemplateFor(tokenizer).render(messages), [
      ...renderConversation(tokenizer, messages).ids,
      ids.assistant,
    ]);
  });

  it('marks exactly the assistant contents and their <|end|> as the assistant', () => {
    const { ids, assistant } = renderConversation(tokenizer, conversations[0]);
    const marked = ids.filter((_, i) => assistant[i]);
    const end = chatTokenIds(tokenizer)!.end;
    const expected = ['2 + 2 = 4.', '4 × 3 = 12.'].flatMap((s) => [...tokenizer.encode(s), end]);
    assert.deepEqual(marked, expected);
  });
});

describe('chat tokens on a character tokenizer', () => {
  const base = CharTokenizer.train(texts);
  const { tokenizer, oldToNew, added } = addChatTokens(base);

  it('puts the chat tokens after the old specials and moves ordinary ids up by four', () => {
    assert.equal(added, 4);
    const specials = base.vocab.specials.length;
    for (let id = 0; id < base.vocabSize; id++) {
      assert.equal(tokenizer.idToToken(oldToNew[id]), base.idToToken(id));
      assert.equal(oldToNew[id], id < specials ? id : id + 4);
    }
    for (const t of Object.values(CHAT_TOKENS)) assert.ok(tokenizer.tokenToId(t)! < specials + 4);
    for (const t of texts)
      assert.deepEqual(
        tokenizer.encode(t),
        base.encode(t).map((id) => oldToNew[id]),
      );
  });

  it('renders conversations that parseChat reads back', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'how are you?' },
      { role: 'assistant', content: 'the cat sat?' },
    ];
    assert.deepEqual(parseChat(tokenizer, renderConversation(tokenizer, messages).ids), messages);
  });
});

describe('lmkit tokenizer train --chat', () => {
  it('gives the trained BPE tokenizer the four chat tokens as special tokens', async () => {
    const dir = tempDir();
    const text = join(dir, 'text.txt');
    writeFileSync(text, texts.join('\n') + '\n');
    const out = join(dir, 'tok.json');
    const r = await runCli(['tokenizer', 'train', text, '--vocab-size', '300', '--chat', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const tok = await loadTokenizer(out);
    const ids = chatTokenIds(tok)!;
    const V = tok.vocabSize;
    assert.deepEqual(Object.values(ids), [V - 4, V - 3, V - 2, V - 1]); // after <|endoftext|>, the last ids
    assert.ok(!tok.encode('<|user|>').includes(ids.user)); // in text it stays text
  });
});
