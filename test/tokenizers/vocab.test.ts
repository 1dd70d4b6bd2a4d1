import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Vocabulary } from '../../src/tokenizers/vocab.js';
import { tempDir } from '../helpers/paths.js';

describe('Vocabulary', () => {
  const tokens = 'b a c a b a d e <unk>'.split(' ');

  it('orders specials first, then by count, ties by first occurrence', () => {
    const v = Vocabulary.fromTokens(tokens, { specials: ['<unk>', '<s>'] });
    assert.deepEqual(v.tokens, ['<unk>', '<s>', 'a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(v.counts, [1, 0, 3, 2, 1, 1, 1]);
    assert.equal(v.id('c'), 4);
    assert.equal(v.id('zzz'), undefined);
    assert.deepEqual(v.specialTokens(), { bos: 1, eos: undefined, unk: 0, pad: undefined });
  });

  it('drops tokens under minCount and caps the size, specials included', () => {
    assert.deepEqual(Vocabulary.fromTokens(tokens, { minCount: 2 }).tokens, ['<unk>', 'a', 'b']);
    assert.deepEqual(Vocabulary.fromTokens(tokens, { maxSize: 3 }).tokens, ['<unk>', 'a', 'b']);
    assert.throws(
      () => Vocabulary.fromTokens(tokens, { maxSize: 1, specials: ['<unk>', '<s>'] }),
      /smaller than/,
    );
  });

  it('round-trips through JSON and a file', async () => {
    const v = Vocabulary.fromTokens(tokens, { specials: ['<unk>', '<pad>'] });
    assert.deepEqual(Vocabulary.fromJSON(JSON.parse(JSON.stringify(v))).toJSON(), v.toJSON());
    const path = join(tempDir(), 'vocab.json');
    v.save(path);
    assert.deepEqual((await Vocabulary.load(path)).toJSON(), v.toJSON());
    assert.ok(readFileSync(path, 'utf8').endsWith('\n'));
  });

  it('rejects malformed vocabulary files with a clear message', async () => {
    assert.throws(() => Vocabulary.fromJSON({ tokens: ['a'] }), /not a vocabulary/);
    assert.throws(
      () => Vocabulary.fromJSON({ specials: [], tokens: ['a', 'a'], counts: [1, 1] }),
      /appears twice/,
    );
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.json'), '{oops');
    await assert.rejects(Vocabulary.load(join(dir, 'bad.json')), /not valid JSON/);
    await assert.rejects(Vocabulary.load(join(dir, 'none.json')), /file not found/);
  });
});
