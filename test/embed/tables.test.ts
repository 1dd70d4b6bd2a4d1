import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCorpus, tokensOf } from '../../src/embed/corpus.js';
import { huffmanCodes } from '../../src/embed/huffman.js';
import { drawNoise, keepThresholds, noiseTable } from '../../src/embed/sampling-tables.js';

describe('word2vec corpus', () => {
  it('keeps words seen min-count times, most frequent first, ties in order of first sight', async () => {
    const c = await buildCorpus([['b a c a', 'd b a'], ['c e']], { level: 'word', minCount: 2, source: 't' });
    assert.deepEqual(c.words, ['a', 'b', 'c']);
    assert.deepEqual([...c.counts], [3, 2, 2]);
    // d and e are dropped before windows form, as word2vec.c and gensim drop them
    assert.deepEqual([...c.ids], [1, 0, 2, 0, 1, 0, 2]);
    assert.deepEqual([...c.sentenceStarts], [0, 4, 6, 7]);
    assert.equal(c.rawTokens, 9);
    assert.equal(c.rawTypes, 5);
  });

  it('cuts Chinese into characters at char level, spaces ignored', () => {
    assert.deepEqual(tokensOf('床前 明月光', 'char'), ['床', '前', '明', '月', '光']);
    assert.deepEqual(tokensOf('床前 明月光', 'word'), ['床前', '明月光']);
  });

  it('says what to change for an empty corpus, a one-word corpus and a min-count that leaves nothing', async () => {
    const build = (text: string[], minCount = 1) =>
      buildCorpus([text], { level: 'word', minCount, source: 'x.txt' });
    await assert.rejects(build(['', '  ']), /x\.txt holds no words to train on/);
    await assert.rejects(build(['hello', 'hello']), /holds one distinct word \("hello"\)/);
    await assert.rejects(
      build(['a b c a'], 3),
      /no word of x\.txt occurs --min-count 3 times \(3 distinct words, the most frequent occurs 2 times\)/,
    );
    await assert.rejects(build(['a b c a'], 2), /only one word of x\.txt \("a"\) occurs --min-count 2 times/);
  });
});

describe('Huffman codes', () => {
  it('give a prefix-free code with shorter paths for more frequent words', () => {
    const counts = Float64Array.from([50, 20, 10, 10, 5, 3, 1, 1]);
    const { offsets, codes, points } = huffmanCodes(counts);
    const bits = [...counts].map((_, w) => [...codes.subarray(offsets[w], offsets[w + 1])].join(''));
    for (let i = 0; i < bits.length; i++)
      for (let j = 0; j < bits.length; j++)
        if (i !== j) assert.ok(!bits[j].startsWith(bits[i]), `${bits[i]} prefixes ${bits[j]}`);
    // a full binary tree: Kraft's sum is exactly 1
    assert.equal(
      bits.reduce((s, b) => s + 2 ** -b.length, 0),
      1,
    );
    for (let w = 1; w < counts.length; w++) assert.ok(bits[w].length >= bits[w - 1].length);
    // optimal: the expected length equals that of the textbook Huffman code for these weights
    const cost = bits.reduce((s, b, w) => s + b.length * counts[w], 0);
    assert.equal(cost, 217);
    // every path starts at the root (inner node V−2) and uses inner nodes only
    for (let w = 0; w < counts.length; w++) assert.equal(points[offsets[w]], counts.length - 2);
    assert.ok(points.every((p) => p >= 0 && p < counts.length - 1));
  });
});

describe('sampling tables', () => {
  it('draw noise words in proportion to count^0.75 (alias table, every pair of draws enumerated)', () => {
    const counts = Float64Array.from([81, 16, 1, 16]);
    const table = noiseTable(counts);
    const w = [27, 8, 1, 8].map((x) => x / 44);
    const hits = [0, 0, 0, 0];
    // r1 picks the column (r1 mod 4), r2 the side: a grid over both covers the draws evenly
    const n = 4 * 11000;
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < n / 4; j++)
        hits[drawNoise(table, i, Math.floor(((j + 0.5) / (n / 4)) * 2 ** 32))]++;
    hits.forEach((h, k) => assert.ok(Math.abs(h / n - w[k]) < 1e-4, `${k}: ${h / n} vs ${w[k]}`));
  });

  it('keep a word of frequency f with probability (sqrt(f/t) + 1) t/f, rare words always', () => {
    const counts = Float64Array.from([1000, 100, 1]);
    const keep = keepThresholds(counts, 1e-2);
    const t = 1e-2 * 1101;
    assert.ok(Math.abs(keep[0] / 2 ** 32 - (Math.sqrt(1000 / t) + 1) * (t / 1000)) < 1e-9);
    assert.equal(keep[2], 0xffffffff);
    assert.deepEqual([...keepThresholds(counts, 0)], [0xffffffff, 0xffffffff, 0xffffffff]);
  });
});
