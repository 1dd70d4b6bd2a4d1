import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatMessage } from '../../src/chat/conversation.js';
import { CHAT_TOKENS, chatTemplateFor, parseChat } from '../../src/chat/template.js';
import { WordTokenizer } from '../../src/tokenizers/word.js';
import { ByteTokenizer } from '../generate/fakes.js';

const conversation: ChatMessage[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Hello there' },
  { role: 'assistant', content: 'Hi!' },
  { role: 'user', content: 'What is 2+2?' },
];

describe('chat templates', () => {
  it('uses the lines template for a tokenizer with a newline token: a line per message, the reply is the next line', () => {
    const tok = new ByteTokenizer();
    const t = chatTemplateFor(tok, { normalize: (s) => s.toLowerCase() });
    assert.equal(t.name, 'lines');
    const withBreak = [...conversation, { role: 'user' as const, content: 'And\n 3+3?' }];
    assert.equal(tok.decode(t.render(withBreak)), 'be brief.\nhello there\nhi!\nwhat is 2+2?\nand 3+3?\n');
    assert.deepEqual(t.endOfTurn, tok.encode('\n'));
    assert.equal(t.parseReply('  four \n'), 'four');
  });

  it('uses the plain template without chat or newline tokens: the last user message is the prompt', () => {
    const tok = WordTokenizer.train(['what is it', 'be brief hello hi']);
    const t = chatTemplateFor(tok, { normalize: (s) => s.toLowerCase() });
    assert.equal(t.name, 'plain');
    assert.deepEqual(t.render(conversation), tok.encode('what is 2+2?'));
    assert.deepEqual(t.endOfTurn, []);
    assert.deepEqual(t.render([{ role: 'system', content: 'x' }]), []);
    assert.equal(t.parseReply('  four'), 'four');
  });

  it('renders role tokens and ends the turn at <|end|> when the tokenizer has chat tokens', () => {
    const tok = new ByteTokenizer(Object.values(CHAT_TOKENS));
    const t = chatTemplateFor(tok);
    assert.equal(t.name, 'tokens');
    const ids = t.render(conversation);
    const id = (name: string) => tok.tokenToId(name) as number;
    assert.equal(ids[0], id('<|system|>'));
    assert.equal(ids[ids.length - 1], id('<|assistant|>'));
    assert.deepEqual(t.endOfTurn, [id('<|end|>')]);
  });

  it('parses a rendered conversation back into the same messages', () => {
    const tok = new ByteTokenizer(Object.values(CHAT_TOKENS));
    const ids = chatTemplateFor(tok).render(conversation);
    assert.deepEqual(parseChat(tok, ids), conversation);
    const reply = [...tok.encode('Four.'), tok.tokenToId('<|end|>') as number];
    assert.deepEqual(parseChat(tok, [...ids, ...reply]).at(-1), { role: 'assistant', content: 'Four.' });
  });
});
