import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LmkitError } from '../../src/errors.js';
import { loadSentences } from '../../src/data/load.js';
import { END_OF_TEXT, type BPETokenizer } from '../../src/tokenizers/bpe.js';
import { gpt2Tokenizer } from '../../src/tokenizers/bpe-gpt2.js';
import { bpeFromTokenizerJSON, toTokenizerJSON } from '../../src/tokenizers/bpe-json.js';
import { trainBPE } from '../../src/tokenizers/bpe-train.js';
import { loadTokenizer, saveTokenizer, tokenizerFromJSON } from '../../src/tokenizers/tokenizer-file.js';
import { tempDir } from '../helpers/paths.js';
import { HARD_CASES, randomStrings } from './bpe-fixtures.js';

const dir = tempDir();
const texts = [...HARD_CASES, ...randomStrings(1000, 3)];

function assertSameEncoding(a: BPETokenizer, b: BPETokenizer): void {
  assert.deepEqual(b.vocab, a.vocab);
  assert.deepEqual(b.merges, a.merges);
  assert.deepEqual(b.specialTokens, a.specialTokens);
  for (const t of texts)
    assert.deepEqual(b.encode(t, { allowedSpecial: 'all' }), a.encode(t, { allowedSpecial: 'all' }));
}

describe('tokenizer.json', () => {
  it('writes the Hugging Face layout: BPE model, ByteLevel pre-tokenizer and decoder, added tokens', () => {
    const json = toTokenizerJSON(gpt2Tokenizer());
    assert.equal(json.model.type, 'BPE');
    assert.equal(json.model.vocab['Ġthe'], 262);
    assert.equal(json.model.vocab[END_OF_TEXT], 50256);
    assert.equal(json.model.merges[0], 'Ġ t');
    assert.equal(json.model.merges.length, 50000);
    assert.deepEqual(json.pre_tokenizer, {
      type: 'ByteLevel',
      add_prefix_space: false,
      trim_offsets: true,
      use_regex: true,
    });
    assert.equal(json.decoder.type, 'ByteLevel');
    assert.deepEqual(
      json.added_tokens.map((t) => [t.id, t.content, t.special]),
      [[50256, END_OF_TEXT, true]],
    );
  });

  it('saves GPT-2 and a trained tokenizer atomically and loads them back to identical behaviour', async () => {
    const trained = trainBPE((await loadSentences('sotu')).slice(0, 2000), {
      vocabSize: 800,
      specialTokens: [END_OF_TEXT, '<|user|>', '<|assistant|>'],
    });
    for (const [name, tok] of [
      ['gpt2', gpt2Tokenizer()],
      ['trained', trained],
    ] as const) {
      const path = join(dir, `${name}.tokenizer.json`);
      saveTokenizer(tok, path);
      const back = await loadTokenizer(path);
      assert.equal(back.kind, 'bpe');
      assertSameEncoding(tok, back as BPETokenizer);
    }
  });

  it('reads merges written as pairs (newer tokenizers versions) and specials kept out of model.vocab', () => {
    const tok = trainBPE(['hello hello world world'], { vocabSize: 270 });
    const json = toTokenizerJSON(tok);
    const pairs = { ...json, model: { ...json.model, merges: json.model.merges.map((m) => m.split(' ')) } };
    delete (pairs.model.vocab as Record<string, number>)[END_OF_TEXT];
    assertSameEncoding(tok, bpeFromTokenizerJSON(pairs));
    assert.equal(tokenizerFromJSON(JSON.parse(JSON.stringify(pairs))).kind, 'bpe');
  });

  it('names the problem in a malformed file', async () => {
    const good = toTokenizerJSON(trainBPE(['abc abc abd'], { vocabSize: 260 }));
    const cases: [string, unknown, RegExp][] = [
      ['no model', { version: '1.0' }, /unknown kind null/],
      [
        'wordpiece',
        { ...good, model: { ...good.model, type: 'WordPiece' } },
        /model\.type is "WordPiece", not "BPE"/,
      ],
      ['normalizer', { ...good, normalizer: { type: 'NFC' } }, /normalizer "NFC" is not supported/],
      [
        'pre-tokenizer',
        { ...good, pre_tokenizer: { type: 'Whitespace' } },
        /pre_tokenizer must be ByteLevel/,
      ],
      [
        'prefix space',
        { ...good, pre_tokenizer: { ...good.pre_tokenizer, add_prefix_space: true } },
        /add_prefix_space/,
      ],
      ['vocab list', { ...good, model: { ...good.model, vocab: [] } }, /model\.vocab must be an object/],
      [
        'bad id',
        { ...good, model: { ...good.model, vocab: { ...good.model.vocab, x: -1 } } },
        /whole number/,
      ],
      [
        'gap',
        { ...good, model: { ...good.model, vocab: { ...good.model.vocab, Ġzz: 900 } } },
        /no token has id/,
      ],
      ['bad merge', { ...good, model: { ...good.model, merges: ['a b c'] } }, /model\.merges\[0\] must be/],
      [
        'unknown merge',
        { ...good, model: { ...good.model, merges: ['x y'] } },
        /merge 0 .* not in the vocabulary/,
      ],
      [
        'clash',
        { ...good, added_tokens: [{ ...good.added_tokens[0], id: 3 }] },
        /has id 3 but model\.vocab says 258/,
      ],
    ];
    for (const [name, json, message] of cases) {
      const path = join(dir, `${name}.json`);
      writeFileSync(path, JSON.stringify(json));
      await assert.rejects(
        loadTokenizer(path),
        (e: unknown) => e instanceof LmkitError && message.test(e.message) && e.message.startsWith(path),
        name,
      );
    }
    writeFileSync(join(dir, 'truncated.json'), JSON.stringify(good).slice(0, 500));
    await assert.rejects(loadTokenizer(join(dir, 'truncated.json')), /is not valid JSON/);
  });
});
