import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatMessage } from '../../src/chat/conversation.js';
import { CHAT_TOKENS, chatTemplateFor, parseChat, replyTo } from '../../src/chat/template.js';
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

  it('continues a final assistant message when asked (a prefill): no line break or <|end|> after it, the reply read verbatim', () => {
    const opening: ChatMessage[] = [{ role: 'assistant', content: 'The people ' }];
    const lines = chatTemplateFor(new ByteTokenizer());
    const tok = new ByteTokenizer();
    assert.equal(tok.decode(lines.render(opening, { continueFinal: true })), 'The people ');
    assert.equal(
      tok.decode(lines.render([...conversation, ...opening], { continueFinal: true })),
      'Be brief.\nHello there\nHi!\nWhat is 2+2?\nThe people ',
    );
    // without the option the assistant's turn is a finished line and the model writes the next one
    assert.equal(tok.decode(lines.render(opening)), 'The people\n');
    // a conversation ending in a user turn renders the same either way
    assert.deepEqual(lines.render(conversation, { continueFinal: true }), lines.render(conversation));
    assert.equal(replyTo(lines, opening, 'are strong'), 'are strong');
    assert.equal(replyTo(lines, conversation, ' four \n'), 'four');

    const chatTok = new ByteTokenizer(Object.values(CHAT_TOKENS));
    const t = chatTemplateFor(chatTok);
    const ids = t.render([{ role: 'user', content: 'Hi' }, ...opening], { continueFinal: true });
    const id = (name: string) => chatTok.tokenToId(name) as number;
    assert.deepEqual(ids, [
      id('<|user|>'),
      ...chatTok.encode('Hi'),
      id('<|end|>'),
      id('<|assistant|>'),
      ...chatTok.encode('The people '),
    ]);

    const words = WordTokenizer.train(['the people are', 'what is it']);
    const plain = chatTemplateFor(words);
    assert.deepEqual(plain.render(opening, { continueFinal: true }), words.encode('The people '));
  });
});
