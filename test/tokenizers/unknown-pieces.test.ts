import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unknownPieces } from '../../src/tokenizers/unknown-pieces.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { WordTokenizer } from '../../src/tokenizers/word.js';

describe('unknownPieces', () => {
  it('names the characters a character tokenizer never saw, once each', () => {
    const t = CharTokenizer.train(['the cat sat']);
    assert.deepEqual(unknownPieces(t, 'the cat'), []);
    assert.deepEqual(unknownPieces(t, 'the Ωcat Ω 春'), ['Ω', '春']);
  });

  it('names the words a word tokenizer never saw', () => {
    const t = WordTokenizer.train(['the cat sat', 'the dog sat']);
    assert.deepEqual(unknownPieces(t, 'the zebra sat'), ['zebra']);
  });
});
