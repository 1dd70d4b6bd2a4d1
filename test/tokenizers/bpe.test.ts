import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BPETokenizer, byteTokens, END_OF_TEXT } from '../../src/tokenizers/bpe.js';
import { BYTE_ORDER, BYTE_SYMBOLS, bytesToSymbols, symbolsToBytes } from '../../src/tokenizers/bpe-bytes.js';
import { mergeByRank, MergeTable } from '../../src/tokenizers/bpe-merge.js';
import { GPT2_PATTERN, preTokenize } from '../../src/tokenizers/bpe-pretokenize.js';
import { LmkitError } from '../../src/errors.js';
import { randomStrings } from './bpe-fixtures.js';

/** A hand-made tokenizer: the byte tokens plus merges making "Ġthe" and "low". */
function tinyTokenizer(specials: string[] = [END_OF_TEXT]): BPETokenizer {
  const merges: [string, string][] = [
    ['Ġ', 't'],
    ['h', 'e'],
    ['Ġt', 'he'],
    ['l', 'o'],
    ['lo', 'w'],
  ];
  return new BPETokenizer([...byteTokens(), 'Ġt', 'he', 'Ġthe', 'lo', 'low', ...specials], merges, specials);
}

describe('byte-level alphabet', () => {
  it('maps the 256 bytes to 256 distinct printable characters, as GPT-2 does', () => {
    assert.equal(new Set(BYTE_SYMBOLS).size, 256);
    assert.equal(BYTE_SYMBOLS[0x20], 'Ġ');
    assert.equal(BYTE_SYMBOLS[0x0a], 'Ċ');
    assert.equal(BYTE_SYMBOLS[0x41], 'A');
    assert.equal(BYTE_SYMBOLS[0xad], 'Ń'); // the last of the 68 moved bytes: U+0100 + 67
    assert.equal(BYTE_SYMBOLS[0xe4], 'ä');
  });

  it('orders base ids as GPT-2: printable bytes first', () => {
    assert.deepEqual(BYTE_ORDER.slice(0, 3), [0x21, 0x22, 0x23]);
    assert.equal(BYTE_ORDER[188], 0x00);
    assert.equal(BYTE_ORDER[220], 0x20);
    assert.equal(byteTokens()[220], 'Ġ');
  });

  it('writes bytes as symbols and reads them back; other characters are refused', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.deepEqual(symbolsToBytes(bytesToSymbols(bytes)), bytes);
    assert.deepEqual([...(symbolsToBytes('Ġhi') ?? [])], [0x20, 0x68, 0x69]);
    assert.equal(symbolsToBytes('€'), undefined);
  });
});

describe('GPT-2 pre-tokenizer', () => {
  it('splits contractions, letter/number/other runs and whitespace as GPT-2', () => {
    assert.deepEqual(preTokenize("I'm  here, they'll pay $1,000!!\n\n  ok"), [
      'I',
      "'m",
      ' ',
      ' here',
      ',',
      ' they',
      "'ll",
      ' pay',
      ' $',
      '1',
      ',',
      '000',
      '!!',
      '\n\n ',
      ' ok',
    ]);
    assert.deepEqual(preTokenize('床前明月光，疑是 地上霜'), ['床前明月光', '，', '疑是', ' 地上霜']);
    assert.deepEqual(preTokenize('a \n'), ['a', ' \n']);
    assert.deepEqual(preTokenize(''), []);
  });

  it('gives exactly the matches of the GPT-2 regex on 20,000 random strings', () => {
    for (const s of randomStrings(20_000, 7))
      assert.deepEqual(preTokenize(s), s.match(GPT2_PATTERN) ?? [], s);
  });
});

describe('merges by rank', () => {
  it('joins the lowest-rank pair first, leftmost on ties, through a long word', () => {
    const table = new MergeTable();
    table.add(0, 0, 10); // a a → aa
    table.add(10, 10, 11); // aa aa → aaaa
    const word = [0, 0, 0, 0, 0];
    assert.equal(mergeByRank(word, 5, table), 2); // aa aa a → aaaa a
    assert.deepEqual(word.slice(0, 2), [11, 0]);
    const long = new Array(10_001).fill(0);
    assert.equal(mergeByRank(long, long.length, table), 2501);
    assert.equal(long[2500], 0);
  });

  it('refuses a pair given twice', () => {
    const table = new MergeTable();
    table.add(1, 2, 3);
    assert.throws(() => table.add(1, 2, 4), /appears twice/);
  });
});

describe('BPETokenizer', () => {
  const tok = tinyTokenizer();

  it('applies merges within words and never across them', () => {
    const ids = tok.encode('the low the');
    assert.deepEqual(
      ids.map((id) => tok.idToToken(id)),
      ['t', 'he', 'Ġ', 'low', 'Ġthe'],
    );
    assert.equal(tok.vocabSize, 262);
    assert.equal(tok.kind, 'bpe');
  });

  it('round-trips any well-formed text: Chinese, emoji, controls, BOM, whitespace runs', () => {
    for (const s of [
      '床前明月光，疑是地上霜。',
      'I ❤️ 🐼 👨‍👩‍👧!',
      '\ufeffBOM first',
      '\0\x01\x7f\u0085',
      '   \n\t\n  ',
    ]) {
      assert.equal(tok.decode(tok.encode(s)), s);
    }
    for (const s of randomStrings(2000, 11))
      assert.equal(tok.decode(tok.encode(s)), s.replace(/\p{Cs}/gu, '\ufffd'));
  });

  it('encodes a lone surrogate as U+FFFD (EF BF BD)', () => {
    const ids = tok.encode('a\ud800b');
    assert.deepEqual(
      ids.map((id) => tok.idToToken(id)),
      ['a', 'ï', '¿', '½', 'b'],
    );
    assert.equal(tok.decode(ids), 'a\ufffdb');
  });

  it('decodes a cut UTF-8 character to U+FFFD, and its bytes exactly', () => {
    const ids = tok.encode('中');
    assert.equal(ids.length, 3);
    assert.equal(tok.decode(ids.slice(0, 2)), '\ufffd');
    assert.deepEqual([...tok.decodeBytes(ids.slice(0, 2))], [0xe4, 0xb8]);
  });

  it('treats special tokens in text as plain text unless allowed', () => {
    const t = tok.withSpecialTokens(['<|user|>', '<|assistant|>']);
    const text = '<|user|>hi<|endoftext|>';
    const eot = t.tokenToId(END_OF_TEXT) as number;
    const user = t.tokenToId('<|user|>') as number;
    assert.equal(t.encode(text).includes(user), false);
    assert.equal(t.decode(t.encode(text)), text);
    assert.deepEqual(t.encode(text, { allowedSpecial: 'all' }), [user, ...t.encode('hi'), eot]);
    const onlyEot = t.encode(text, { allowedSpecial: [END_OF_TEXT] });
    assert.equal(onlyEot.at(-1), eot);
    assert.equal(onlyEot.includes(user), false);
    assert.throws(() => t.encode(text, { allowedSpecial: ['<|nope|>'] }), /not a special token/);
  });

  it('drops special tokens when decoding unless asked to keep them', () => {
    const ids = tok.encode('low<|endoftext|>', { allowedSpecial: 'all' });
    assert.equal(tok.decode(ids), 'low');
    assert.equal(tok.decode(ids, { keepSpecial: true }), 'low<|endoftext|>');
  });

  it('adds special tokens after the vocabulary and maps <|endoftext|> to bos and eos', () => {
    const t = tok.withSpecialTokens(['<|user|>', END_OF_TEXT, '<|user|>']);
    assert.equal(t.vocabSize, tok.vocabSize + 1);
    assert.equal(t.tokenToId('<|user|>'), tok.vocabSize);
    assert.deepEqual(t.specialTokens, [END_OF_TEXT, '<|user|>']);
    assert.equal(t.special.eos, tok.tokenToId(END_OF_TEXT));
    assert.equal(t.special.bos, t.special.eos);
    assert.ok(t.isSpecialId(tok.vocabSize));
    assert.throws(() => tok.withSpecialTokens(['low']), /already an ordinary token/);
  });

  it('prefers the longest special token where two overlap', () => {
    const t = tinyTokenizer(['<|a|>', '<|a|>b']);
    assert.deepEqual(t.encode('<|a|>b<|a|>', { allowedSpecial: 'all' }), [
      t.tokenToId('<|a|>b'),
      t.tokenToId('<|a|>'),
    ]);
  });

  it('rejects ids outside the vocabulary with a clear error', () => {
    assert.throws(
      () => tok.decode([0, 262]),
      (e: unknown) => e instanceof LmkitError && /0\.\.261/.test(e.message),
    );
    assert.throws(() => tok.idToToken(-1), /outside the vocabulary/);
    assert.throws(() => tok.decode([1.5]), /outside the vocabulary/);
  });

  it('refuses inconsistent vocabularies and merges', () => {
    const bytes = byteTokens();
    assert.throws(() => new BPETokenizer(bytes.slice(1), []), /byte 0x21 .* has no token/);
    assert.throws(() => new BPETokenizer([...bytes, 'a'], []), /appears twice/);
    assert.throws(() => new BPETokenizer([...bytes, 'x€'], []), /not a byte-level token/);
    assert.throws(() => new BPETokenizer(bytes, [['a', 'b']]), /merge 0 .* not in the vocabulary/);
    assert.throws(() => new BPETokenizer(bytes, [], ['<s>']), /not in the vocabulary/);
  });
});
