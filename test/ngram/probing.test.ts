import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { arpaChunks } from '../../src/ngram/arpa.js';
import type { BackoffModel } from '../../src/ngram/backoff-model.js';
import { readBinary, writeBinary } from '../../src/ngram/binary.js';
import { ByteVocabulary } from '../../src/ngram/byte-vocabulary.js';
import { scoreSentence } from '../../src/ngram/evaluate.js';
import { splitLines, tokenizeSentence } from '../../src/ngram/tokenize.js';
import { trainNGram } from '../../src/ngram/train.js';
import { NGramVocabulary } from '../../src/ngram/vocabulary.js';
import { ROOT, KENLM_FIXTURES, tempDir } from '../helpers/paths.js';

const train = splitLines(readFileSync(join(KENLM_FIXTURES, 'tiny40.train.txt'), 'utf8'));
const heldOut = splitLines(readFileSync(join(KENLM_FIXTURES, 'tiny40.test.txt'), 'utf8')).map((l) =>
  tokenizeSentence(l, 'word'),
);

function scores(model: BackoffModel): number[] {
  return heldOut.flatMap((t) => scoreSentence(model, t).map((s) => s.log10p));
}

function arpaLines(model: BackoffModel): Set<string> {
  const text = Buffer.concat([...arpaChunks(model)]).toString('utf8');
  return new Set(splitLines(text).filter((l) => l.includes('\t')));
}

/** A deterministic stream of word ids: training sentences with some words replaced at random. */
function sequences(model: BackoffModel, count: number): number[][] {
  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const out: number[][] = [];
  for (let i = 0; i < count; i++) {
    const words = tokenizeSentence(train[i % train.length], 'word').map((w) => model.vocab.idOf(w));
    out.push(words.map((w) => (rand() < 0.3 ? 3 + Math.floor(rand() * (model.vocab.size - 3)) : w)));
  }
  return out;
}

describe('probing index', () => {
  for (const smoothing of ['kn', 'mle', 'addk', 'stupid'] as const) {
    it(`scores every word as the backoff formula over the columns does (${smoothing}, order 4)`, () => {
      const { model } = trainNGram(train, { order: 4, smoothing });
      for (const ids of sequences(model, 60)) {
        const state = model.beginSentence();
        const history = [1]; // <s>
        for (const w of [...ids, 2]) {
          history.push(w);
          const got = model.score(state, w, state);
          const want = model.scoreNgram(history.slice(-4));
          assert.equal(got, want, `${smoothing}: ${history.join(' ')}`);
        }
      }
    });
  }

  it('gives the same distributions and state after loading from a file', () => {
    const { model } = trainNGram(train, { order: 3, smoothing: 'kn' });
    const path = join(tempDir(), 'm.bin');
    writeBinary(model, path);
    const back = readBinary(path);
    for (const ids of sequences(model, 10)) {
      const a = model.beginSentence();
      const b = back.beginSentence();
      for (const w of ids) {
        model.advance(a, w, a);
        back.advance(b, w, b);
        const da = model.distribution(a, new Float64Array(model.vocab.size));
        const db = back.distribution(b, new Float64Array(back.vocab.size));
        assert.deepEqual(db, da);
        assert.ok(Math.abs(da.reduce((s, p) => s + p, 0) - 1) < 1e-5);
      }
    }
  });

  it('rebuilds the same n-grams and values in columns from a loaded file', () => {
    for (const order of [1, 2, 5]) {
      const { model } = trainNGram(train, { order, smoothing: 'kn' });
      const path = join(tempDir(), 'm.bin');
      writeBinary(model, path);
      const back = readBinary(path);
      for (let n = 1; n <= order; n++) assert.equal(back.size(n), model.size(n));
      assert.deepEqual(arpaLines(back), arpaLines(model));
      assert.deepEqual(scores(back), scores(model));
    }
  });
});

describe('binary format versions', () => {
  const v2 = join(ROOT, 'test', 'fixtures', 'ngram', 'tiny40.o3.v2.bin');

  it('reads version 2 files (written before the probing index) with the same scores', () => {
    const { model } = trainNGram(train, { order: 3, smoothing: 'kn' });
    const old = readBinary(v2);
    assert.deepEqual(scores(old), scores(model));
    assert.deepEqual(arpaLines(old), arpaLines(model));
    const path = join(tempDir(), 'again.bin');
    writeBinary(old, path);
    assert.equal(
      JSON.parse(readFileSync(path).toString('utf8', 12, 12 + readFileSync(path).readUInt32LE(8))).version,
      3,
    );
    assert.deepEqual(scores(readBinary(path)), scores(model));
  });

  it('refuses a version it does not know, saying which it reads', () => {
    const bytes = readFileSync(v2);
    const len = bytes.readUInt32LE(8);
    const header = bytes.toString('utf8', 12, 12 + len).replace('"version":2', '"version":7');
    const path = join(tempDir(), 'v7.bin');
    writeFileSync(
      path,
      Buffer.concat([bytes.subarray(0, 12), Buffer.from(header), bytes.subarray(12 + len)]),
    );
    assert.throws(() => readBinary(path), /version 7; this lmkit reads versions 2 and 3/);
  });

  it('refuses a version 3 header whose slot layout does not fit its sizes', () => {
    const { model } = trainNGram(train, { order: 3, smoothing: 'kn' });
    const dir = tempDir();
    writeBinary(model, join(dir, 'm.bin'));
    const bytes = readFileSync(join(dir, 'm.bin'));
    const len = bytes.readUInt32LE(8);
    const header = JSON.parse(bytes.toString('utf8', 12, 12 + len));
    header.layout.capacity[2] = header.sizes[1]; // no empty slot left: lookups could not terminate
    const json = JSON.stringify(header).padEnd(len, ' ');
    assert.equal(json.length, len);
    writeFileSync(
      join(dir, 'bad.bin'),
      Buffer.concat([bytes.subarray(0, 12), Buffer.from(json), bytes.subarray(12 + len)]),
    );
    assert.throws(() => readBinary(join(dir, 'bad.bin')), /bad slot layout/);
  });
});

describe('vocabulary read from a binary file', () => {
  it('keeps the file bytes and builds words and ids only when asked', () => {
    const v = NGramVocabulary.fromBytes(Buffer.from('<unk>\0<s>\0</s>\0café\0明月', 'utf8'));
    assert.equal(v.size, 5);
    const bytes = new ByteVocabulary(v);
    const text = Buffer.from('明月 café cafe', 'utf8');
    assert.equal(bytes.find(text, 0, 6), 4);
    assert.equal(bytes.find(text, 7, 12), 3);
    assert.equal(bytes.find(text, 13, 17), -1);
    assert.deepEqual(v.words, ['<unk>', '<s>', '</s>', 'café', '明月']);
    assert.equal(v.idOf('明月'), 4);
    assert.equal(v.add('new'), 5);
    assert.equal(new ByteVocabulary(v).find(Buffer.from('new'), 0, 3), 5);
  });

  it('answers its first look-ups by scanning the bytes, exactly as the word map does', () => {
    const words = ['<unk>', '<s>', '</s>', 'a', 'ab', 'b a', 'café', '明月', '', 'x'];
    const bytes = Buffer.from(words.join('\0'), 'utf8');
    const probes = [...words, 'c', 'caf', 'é', 'a\0ab', '<S>', '明'];
    const scanned = NGramVocabulary.fromBytes(bytes);
    const answers = probes.map((w) => scanned.lookup(w)); // fewer look-ups than it scans before the map
    const mapped = NGramVocabulary.fromBytes(bytes);
    for (let i = 0; i < 40; i++) mapped.lookup('x'); // past the scans: the map answers from here
    assert.deepEqual(
      answers,
      probes.map((w) => mapped.lookup(w)),
    );
    assert.deepEqual(answers, [
      0,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      9,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    assert.equal(scanned.idOf('nope'), 0);
  });

  it('rejects missing specials at once and duplicate words when the map is built', () => {
    assert.throws(
      () => NGramVocabulary.fromBytes(Buffer.from('<s>\0<unk>\0</s>')),
      /entry 0 should be <unk>/,
    );
    const dup = NGramVocabulary.fromBytes(Buffer.from('<unk>\0<s>\0</s>\0a\0a'));
    assert.throws(() => dup.lookup('a'), /"a" appears twice/);
  });

  it('tells apart words that share their first 8 bytes, and words of exactly 8 bytes', () => {
    const words = [
      '<unk>',
      '<s>',
      '</s>',
      'internationalization',
      'internationalisation',
      'abcdefgh',
      'abcdefghi',
      'abcdefg',
    ];
    const bytes = new ByteVocabulary(words);
    const text = Buffer.from(words.slice(3).join(' ') + ' internationalizatio abcdefgX', 'utf8');
    const found: number[] = [];
    for (let i = 0; i < text.length;) {
      let j = i;
      while (j < text.length && text[j] !== 0x20) j++;
      found.push(bytes.find(text, i, j));
      i = j + 1;
    }
    assert.deepEqual(found, [3, 4, 5, 6, 7, -1, -1]);
  });

  it('indexes a word list holding a word with NUL without shifting the ids after it', () => {
    const bytes = new ByteVocabulary(['<unk>', '<s>', '</s>', 'a\0b', 'c']);
    assert.equal(bytes.find(Buffer.from('c'), 0, 1), 4);
    assert.equal(bytes.find(Buffer.from('a'), 0, 1), -1);
  });
});
