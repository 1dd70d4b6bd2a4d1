import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CharTokenizer, splitChars } from '../../src/tokenizers/char.js';
import { loadTokenizer, saveTokenizer, tokenizerFromJSON } from '../../src/tokenizers/tokenizer-file.js';
import { tempDir } from '../helpers/paths.js';

describe('CharTokenizer', () => {
  const text = '床前明月光，疑是地上霜。 I ❤️ 🐼!';

  it('makes every Unicode code point a token, including astral ones', () => {
    assert.deepEqual(splitChars('a你😀'), ['a', '你', '😀']);
    assert.deepEqual(splitChars('❤️'), ['❤', '\ufe0f']);
  });

  it('round-trips Chinese and emoji through encode and decode', () => {
    const tok = CharTokenizer.train([text]);
    const ids = tok.encode(text);
    assert.equal(ids.length, Array.from(text).length);
    assert.equal(tok.decode(ids), text);
    assert.ok(ids.every((id) => id !== tok.special.unk));
  });

  it('maps unseen characters to <unk> and drops specials when decoding', () => {
    const tok = CharTokenizer.train(['ab']);
    assert.deepEqual(tok.encode('abz'), [3, 4, 0]);
    assert.equal(tok.decode([1, 3, 4, 0, 2]), 'ab');
  });

  it('saves and loads as a tokenizer file with kind "char"', async () => {
    const tok = CharTokenizer.train([text], { minCount: 1 });
    const path = join(tempDir(), 'tokenizer.json');
    saveTokenizer(tok, path);
    const back = await loadTokenizer(path);
    assert.equal(back.kind, 'char');
    assert.equal(back.decode(back.encode(text)), text);
    assert.throws(() => tokenizerFromJSON({ kind: 'bpe2' }), /unknown kind "bpe2"/);
  });
});
