import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getDataset, measure } from '../../src/data/datasets.js';
import { bengioSplit, mod10Split, selectSplit, UNK } from '../../src/data/splits.js';

describe('bengio split', () => {
  it('on Brown: train starts at 800k tokens, valid takes the next ~200k, rare words become <unk>', async () => {
    const brown = await getDataset('brown').sentences();
    const { train, valid, test } = bengioSplit(brown);
    assert.equal(train.length + valid.length + test.length, brown.length);
    const sizes = [train, valid, test].map((s) => measure(s).words);
    assert.equal(sizes[0] + sizes[1] + sizes[2], 1161192);
    assert.ok(sizes[0] >= 800000 && sizes[0] < 800000 + 200, `train ${sizes[0]}`);
    assert.ok(sizes[1] > 199800 && sizes[1] < 200200, `valid ${sizes[1]}`);
    assert.equal(train.length, 35523);

    const counts = new Map<string, number>();
    for (const s of train) for (const w of s.split(' ')) counts.set(w, (counts.get(w) ?? 0) + 1);
    for (const [w, c] of counts) if (w !== UNK) assert.ok(c > 3, `${w} seen ${c} times in train`);
    for (const s of [...valid, ...test])
      for (const w of s.split(' ')) assert.ok(counts.has(w), `${w} not in train`);
    assert.equal(counts.size, 14114);
  });

  it('puts a sentence where its first token falls and refuses corpora under 1M tokens', () => {
    assert.throws(() => bengioSplit(['a b c']), /needs more than 1,000,000 tokens/);
    const sentence = Array(1000).fill('w').join(' ');
    const split = bengioSplit(Array(1001).fill(sentence));
    assert.deepEqual([split.train.length, split.valid.length, split.test.length], [800, 200, 1]);
  });
});

describe('mod10 split', () => {
  it('sends sentence i to test when i % 10 == 9, the rest to train', () => {
    const s = Array.from({ length: 25 }, (_, i) => `s${i}`);
    const { train, valid, test } = mod10Split(s);
    assert.deepEqual(test, ['s9', 's19']);
    assert.equal(train.length, 23);
    assert.deepEqual(valid, []);
    assert.throws(() => selectSplit(s, 'mod10', 'valid'), /only train and test/);
    assert.deepEqual(selectSplit(s, 'mod10', 'all'), s);
  });
});
