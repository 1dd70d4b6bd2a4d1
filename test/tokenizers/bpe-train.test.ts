import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadSentences } from '../../src/data/load.js';
import { END_OF_TEXT } from '../../src/tokenizers/bpe.js';
import { countWords, trainBPE } from '../../src/tokenizers/bpe-train.js';

// Sennrich et al. (2016)'s example corpus: low ×5, lower ×2, newest ×6, widest ×3.
const SENNRICH =
  'low low low low low lower lower newest newest newest newest newest newest widest widest widest';

describe('trainBPE', () => {
  it('counts GPT-2 pre-tokens, cutting special tokens out', () => {
    const counts = countWords(['the cat<|endoftext|>the  cat'], [END_OF_TEXT]);
    assert.deepEqual(
      [...counts],
      [
        ['the', 2],
        [' cat', 2],
        [' ', 1],
      ],
    );
  });

  it('learns the merges of Sennrich et al.’s example, computed by hand', () => {
    // Words: "low" 1, " low" 4, " lower" 2, " newest" 6, " widest" 3.
    // e s 9 and s t 9 tie: 'e' has the smaller id. Then es t 9; l o 7 beats o w 7 (l < o); lo w 7;
    // at 6, e w (e < n < Ġ); n ew; Ġ low (low made before new); Ġ new; Ġnew est; then d est at 3.
    const tok = trainBPE([SENNRICH], { vocabSize: 256 + 10 + 1 });
    assert.deepEqual(
      tok.merges.map((m) => m.join(' ')),
      ['e s', 'es t', 'l o', 'lo w', 'e w', 'n ew', 'Ġ low', 'Ġ new', 'Ġnew est', 'd est'],
    );
    assert.equal(tok.vocabSize, 267);
    assert.equal(tok.idToToken(256), 'es');
    assert.equal(tok.idToToken(266), END_OF_TEXT);
    assert.deepEqual(
      tok.encode(' lowest newer').map((id) => tok.idToToken(id)),
      ['Ġlow', 'est', 'Ġnew', 'e', 'r'],
    );
  });

  it('stops at pairs rarer than minFrequency', () => {
    // At minFrequency 4 the pairs seen 3 times (d est, Ġ w, ...) are never merged.
    const tok = trainBPE([SENNRICH], { vocabSize: 1000, minFrequency: 4 });
    assert.equal(tok.merges.length, 9);
    assert.equal(
      trainBPE([SENNRICH], { vocabSize: 1000, minFrequency: 1 }).tokenToId('Ġwidest') !== undefined,
      true,
    );
  });

  it('never merges across special tokens or pre-token boundaries', () => {
    const text = 'ab<|endoftext|>ab<|endoftext|>ab';
    const tok = trainBPE([text, text], { vocabSize: 300 });
    assert.deepEqual(
      tok.merges.map((m) => m.join(' ')),
      ['a b'],
    );
    assert.deepEqual(tok.encode(text, { allowedSpecial: 'all' }).length, 5);
  });

  it('counts overlapping pairs in runs exactly (aaaa → aa aa)', () => {
    // "aaaa" ×1 and " aaaa" ×2: a a occurs 9 times; after its merge aa aa occurs 3 times, then Ġ aaaa twice.
    const merges = (minFrequency: number) =>
      trainBPE(['aaaa aaaa aaaa'], { vocabSize: 300, specialTokens: [], minFrequency }).merges.map((m) =>
        m.join(' '),
      );
    assert.deepEqual(merges(4), ['a a']);
    assert.deepEqual(merges(3), ['a a', 'aa aa']);
    assert.deepEqual(merges(2), ['a a', 'aa aa', 'Ġ aaaa']);
  });

  it('puts the special tokens last, in order, and is deterministic', async () => {
    const sentences = (await loadSentences('sotu')).slice(0, 3000);
    const opts = { vocabSize: 600, specialTokens: [END_OF_TEXT, '<|user|>'] };
    const a = trainBPE(sentences, opts);
    const b = trainBPE(sentences, opts);
    assert.deepEqual(a.merges, b.merges);
    assert.equal(a.vocabSize, 600);
    assert.deepEqual(a.vocab.slice(-2), [END_OF_TEXT, '<|user|>']);
    assert.equal(a.special.eos, 598);
    assert.deepEqual(a.merges[0], ['Ġ', 't']);
    const text = sentences.slice(0, 200).join('\n');
    const ids = a.encode(text);
    assert.equal(a.decode(ids), text);
    assert.ok(
      ids.length < Buffer.byteLength(text) / 2.5,
      `${ids.length} tokens for ${Buffer.byteLength(text)} bytes`,
    );
  });

  it('explains impossible options', () => {
    assert.throws(() => trainBPE(['x'], { vocabSize: 256 }), /from 257 \(256 bytes \+ 1 special tokens\)/);
    assert.throws(() => trainBPE(['x'], { vocabSize: 300, minFrequency: 0 }), /minimum pair frequency/);
    assert.throws(() => trainBPE(['x'], { vocabSize: 300, specialTokens: ['a', 'a'] }), /distinct/);
  });
});
