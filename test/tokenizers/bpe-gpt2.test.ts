import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Tiktoken } from 'js-tiktoken/lite';
import gpt2Ranks from 'js-tiktoken/ranks/gpt2';
import { getDataset } from '../../src/data/datasets.js';
import { loadSentences } from '../../src/data/load.js';
import { END_OF_TEXT } from '../../src/tokenizers/bpe.js';
import { gpt2Tokenizer, tokenizerFromRanks } from '../../src/tokenizers/bpe-gpt2.js';
import { ROOT } from '../helpers/paths.js';
import { HARD_CASES, randomStrings } from './bpe-fixtures.js';

/** Real code: this repository's own TypeScript sources, in chunks of 30 lines. */
function codeChunks(): string[] {
  const chunks: string[] = [];
  for (const dir of ['src/tokenizers', 'src/ngram', 'src/cli']) {
    for (const f of readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.ts'))) {
      const lines = readFileSync(join(ROOT, dir, f), 'utf8').split('\n');
      for (let i = 0; i < lines.length; i += 30) chunks.push(lines.slice(i, i + 30).join('\n'));
    }
  }
  return chunks;
}

async function chinese(): Promise<string[]> {
  const out: string[] = [];
  for (const name of ['fortunes-zh', 'tang300']) {
    const d = getDataset(name);
    if (d.installed()) out.push(...(await d.sentences()).filter((_, i) => i % 12 === 0));
  }
  return out;
}

describe('GPT-2 tokenizer imported from js-tiktoken', () => {
  const tok = gpt2Tokenizer();
  const reference = new Tiktoken(gpt2Ranks);

  it('has GPT-2’s vocabulary, merges and end-of-text token', () => {
    assert.equal(tok.vocabSize, 50257);
    assert.equal(tok.merges.length, 50000);
    assert.deepEqual(tok.merges.slice(0, 4), [
      ['Ġ', 't'],
      ['Ġ', 'a'],
      ['h', 'e'],
      ['i', 'n'],
    ]);
    assert.equal(tok.tokenToId(END_OF_TEXT), 50256);
    assert.equal(tok.special.eos, 50256);
    assert.equal(tok.tokenToId('Ġthe'), 262);
    assert.deepEqual(tok.encode('Hello world'), [15496, 995]);
    assert.equal(gpt2Tokenizer(), tok);
  });

  it('gives js-tiktoken’s ids on thousands of strings: prose, code, Chinese, emoji, whitespace, numbers', async () => {
    const corpus = [
      ...(await loadSentences('brown')).filter((_, i) => i % 20 === 0),
      ...(await loadSentences('sotu')).filter((_, i) => i % 40 === 0),
      ...codeChunks(),
      ...(await chinese()),
      ...randomStrings(5000, 42),
      ...HARD_CASES,
    ];
    assert.ok(corpus.length > 10_000, `${corpus.length} strings`);
    let tokens = 0;
    for (const text of corpus) {
      const ids = tok.encode(text);
      assert.deepEqual(ids, reference.encode(text, [], []), JSON.stringify(text.slice(0, 200)));
      tokens += ids.length;
    }
    assert.ok(tokens > 250_000, `${tokens} tokens compared`);
  });

  it('matches js-tiktoken on one long text, and with <|endoftext|> allowed', () => {
    const text = [...HARD_CASES, ...randomStrings(500, 5)].join('\n');
    assert.deepEqual(tok.encode(text), reference.encode(text, [], []));
    assert.deepEqual(tok.encode(text, { allowedSpecial: 'all' }), reference.encode(text, 'all'));
    assert.equal(
      tok.decode(tok.encode(text, { allowedSpecial: 'all' }), { keepSpecial: true }),
      text.replace(/\p{Cs}/gu, '\ufffd'),
    );
  });

  it('encodes words of 100,000 characters (no quadratic merging) as js-tiktoken does shorter ones', () => {
    // js-tiktoken merges in quadratic time, so it is compared on 1,000 characters, where GPT-2 gives
    // one token per 中, per space, and per "aaaa".
    for (const [unit, perToken] of [
      ['中', 1],
      [' ', 1],
      ['a', 4],
    ] as const) {
      const short = unit.repeat(1000);
      assert.deepEqual(tok.encode(short), reference.encode(short, [], []));
      const ids = tok.encode(unit.repeat(100_000));
      assert.equal(ids.length, 100_000 / perToken);
      assert.ok(ids.every((id) => id === ids[0]));
      assert.equal(tok.decode(ids), unit.repeat(100_000));
    }
  });

  it('refuses rank files that are not a merge sequence', () => {
    const ranks = (tokens: string[]) => ({
      bpe_ranks: `x 0 ${tokens.map((t) => Buffer.from(t, 'latin1').toString('base64')).join(' ')}`,
      special_tokens: {},
    });
    const bytes = Array.from({ length: 256 }, (_, b) => String.fromCharCode(b));
    assert.equal(tokenizerFromRanks(ranks([...bytes, 'ab', 'abc'])).merges.length, 2);
    assert.throws(
      () => tokenizerFromRanks(ranks([...bytes, 'abc'])),
      /token 256 is not one merge of two earlier tokens/,
    );
    assert.throws(() => tokenizerFromRanks(ranks(bytes.slice(1))), /some byte has no token/);
  });
});
