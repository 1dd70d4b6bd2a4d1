import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadTokenizer, saveTokenizer } from '../../src/tokenizers/tokenizer-file.js';
import { splitRegex, splitWhitespace, WordTokenizer } from '../../src/tokenizers/word.js';
import { tempDir } from '../helpers/paths.js';

describe('word pre-tokenizers', () => {
  it('whitespace splits on space, tab, CR, LF and NUL only', () => {
    assert.deepEqual(splitWhitespace(' a\tb\r\nc\0d  e,f '), ['a', 'b', 'c', 'd', 'e,f']);
  });

  it('regex splits punctuation off words', () => {
    assert.deepEqual(splitRegex('"Hello, world!"'), ['"', 'Hello', ',', 'world', '!', '"']);
  });

  it('regex keeps inner apostrophes and hyphens, decimal numbers, and Unicode letters', () => {
    assert.deepEqual(splitRegex("I don't know—it's 3.14 or 1,000 well-known cafés."), [
      'I',
      "don't",
      'know',
      '—',
      "it's",
      '3.14',
      'or',
      '1,000',
      'well-known',
      'cafés',
      '.',
    ]);
  });

  it('regex makes every Han character a word', () => {
    assert.deepEqual(splitRegex('你好，world！'), ['你', '好', '，', 'world', '！']);
  });
});

describe('WordTokenizer', () => {
  const tok = WordTokenizer.train(['the cat sat', 'the dog sat', 'a bird'], { minCount: 2 });

  it('encodes known words to ids and unknown ones to <unk>', () => {
    assert.deepEqual(tok.vocab.tokens, ['<unk>', '<s>', '</s>', 'the', 'sat']);
    assert.deepEqual(tok.encode('the cow sat'), [3, 0, 4]);
    assert.deepEqual(tok.special, { unk: 0, bos: 1, eos: 2, pad: undefined });
  });

  it('never turns text spelled like a special token into that token', () => {
    assert.deepEqual(tok.encode('the <s> sat </s>'), [3, 0, 4, 0]);
    assert.equal(tok.tokenToId('<s>'), 1, 'specials are still reachable by name');
  });

  it('decodes by joining words with spaces, dropping specials', () => {
    assert.equal(tok.decode([1, 3, 4, 2]), 'the sat');
    assert.equal(tok.idToToken(3), 'the');
    assert.equal(tok.tokenToId('sat'), 4);
  });

  it('lowercases and regex-splits when asked, and round-trips through a tokenizer file', async () => {
    const t = WordTokenizer.train(['Hello, World!'], { preTokenizer: 'regex', lowercase: true });
    assert.deepEqual(t.words('HELLO, world!'), ['hello', ',', 'world', '!']);
    const path = join(tempDir(), 'tokenizer.json');
    saveTokenizer(t, path);
    const back = await loadTokenizer(path);
    assert.equal(back.kind, 'word');
    assert.deepEqual(back.encode('hello world'), t.encode('hello world'));
    assert.deepEqual(back.toJSON(), t.toJSON());
  });
});
