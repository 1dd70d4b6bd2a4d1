import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { KeyedVectors } from '../../src/embed/keyed-vectors.js';
import { readVectors, writeVectors } from '../../src/embed/vectors-file.js';
import { ROOT, tempDir } from '../helpers/paths.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'gensim');
const WORDS = ['king', 'queen', 'naïve', '北京', 'x'];
const VALUES = [
  [0.5, -0.25, 1.0, 0.125],
  [0.4, -0.3, 0.9, 0.2],
  [1e-7, -123.456, 3.14159, 0.0],
  [-1.5, 2.5, -0.001, 65504.0],
  [0.1, 0.2, 0.3, 0.4],
].map((row) => row.map(Math.fround));
const dir = tempDir();

function expected(): KeyedVectors {
  return new KeyedVectors(WORDS, Float32Array.from(VALUES.flat()), 4);
}

function assertSame(kv: KeyedVectors): void {
  assert.deepEqual(kv.words, WORDS);
  assert.equal(kv.dim, 4);
  assert.deepEqual([...kv.vectors], VALUES.flat());
}

const gensim =
  spawnSync('/usr/bin/python3', ['-c', 'import gensim'], { encoding: 'utf8' }).status === 0
    ? false
    : "Debian's python3-gensim is not installed";

describe('word2vec vectors files', () => {
  it("reads gensim's text and binary files (fixtures from make_word2vec_fixture.py)", () => {
    assertSame(readVectors(join(FIXTURES, 'vectors.txt')));
    assertSame(readVectors(join(FIXTURES, 'vectors.bin')));
    // the format is found from the contents when the name does not say
    const renamed = join(dir, 'gensim-binary.w2v');
    writeFileSync(renamed, readFileSync(join(FIXTURES, 'vectors.bin')));
    assertSame(readVectors(renamed));
    assert.ok(
      Math.abs(readVectors(join(FIXTURES, 'vectors.txt')).similarity('king', 'queen') - 0.99280846118927) <
        1e-6,
    );
  });

  it("writes binary exactly as gensim does, plus word2vec.c's line feed after each vector", () => {
    const path = join(dir, 'ours.bin');
    writeVectors(path, expected());
    const ours = readFileSync(path);
    const theirs = readFileSync(join(FIXTURES, 'vectors.bin'));
    // drop the line feed after each of our records and the bytes must be gensim's
    const stripped: number[] = [];
    let pos = ours.indexOf(0x0a) + 1;
    stripped.push(...ours.subarray(0, pos));
    for (let i = 0; i < WORDS.length; i++) {
      const end = ours.indexOf(0x20, pos) + 1 + 16;
      stripped.push(...ours.subarray(pos, end));
      assert.equal(ours[end], 0x0a);
      pos = end + 1;
    }
    assert.equal(pos, ours.length);
    assert.deepEqual(Buffer.from(stripped), theirs);
    assertSame(readVectors(path));
  });

  it('writes text that reads back to the same float32s', () => {
    const path = join(dir, 'ours.txt');
    writeVectors(path, expected());
    assert.match(readFileSync(path, 'utf8'), /^5 4\nking 0\.5 -0\.25 1 0\.125\n/);
    assertSame(readVectors(path));
  });

  it('gensim loads what lmkit writes, text and binary', { skip: gensim }, () => {
    for (const name of ['ours.txt', 'ours.bin']) {
      const path = join(dir, name);
      writeVectors(path, expected());
      const py = `
import json, sys
from gensim.models import KeyedVectors
kv = KeyedVectors.load_word2vec_format(sys.argv[1], binary=sys.argv[1].endswith('.bin'))
print(json.dumps({"words": list(kv.index_to_key), "vectors": [[float(x) for x in kv[w]] for w in kv.index_to_key]}))`;
      const r = spawnSync('/usr/bin/python3', ['-c', py, path], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const got = JSON.parse(r.stdout) as { words: string[]; vectors: number[][] };
      assert.deepEqual(got.words, WORDS);
      assert.deepEqual(got.vectors, VALUES);
    }
  });

  it('names the problem in a file with a wrong header, a wrong dimension or a cut-short record', () => {
    const put = (name: string, data: string | Buffer) => {
      const p = join(dir, name);
      writeFileSync(p, data);
      return p;
    };
    assert.throws(
      () => readVectors(put('h.txt', 'king 0.1 0.2\n')),
      /h\.txt is not a word2vec vectors file: its first line should be 'VOCAB_SIZE DIMENSION', found "king 0\.1 0\.2"/,
    );
    assert.throws(() => readVectors(put('e.txt', '')), /not a word2vec vectors file/);
    assert.throws(
      () => readVectors(put('d.txt', '2 3\na 1 2 3\nb 1 2\n')),
      /d\.txt line 3: the word "b" has 2 values, the header says dimension 3/,
    );
    assert.throws(
      () => readVectors(put('n.txt', '2 3\na 1 2 3\n')),
      /the header says 2 words, the file holds 1/,
    );
    assert.throws(() => readVectors(put('x.txt', '1 2\na 1 zwei\n')), /"zwei" is not a number/);
    assert.throws(
      () => readVectors(put('u.txt', Buffer.from([0x31, 0x20, 0x31, 0x0a, 0xe9, 0x20, 0x31, 0x0a]))),
      /u\.txt is not UTF-8 text: invalid byte 0xe9/,
    );
    const bin = readFileSync(join(FIXTURES, 'vectors.bin'));
    // the header claims 3 dimensions for 4-dimensional records
    const wrongDim = put('wd.bin', Buffer.concat([Buffer.from('5 3\n'), bin.subarray(4)]));
    assert.throws(
      () => readVectors(wrongDim),
      /wd\.bin: record 2 of 5 does not start with a word \(byte offset 21\)/,
    );
    assert.throws(
      () => readVectors(wrongDim),
      (e: Error & { hint?: string }) => /dimension \(3\)/.test(e.hint ?? ''),
    );
    const cut = put('cut.bin', bin.subarray(0, bin.length - 3));
    assert.throws(() => readVectors(cut), /cut\.bin: record 5 of 5 is cut short: 4 float32s do not fit/);
  });
});
