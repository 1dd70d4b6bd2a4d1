import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { arpaChunks, parseArpa, writeArpa } from '../../src/ngram/arpa.js';
import type { BackoffModel } from '../../src/ngram/backoff-model.js';
import { readBinary, writeBinary } from '../../src/ngram/binary.js';
import { scoreSentence } from '../../src/ngram/evaluate.js';
import { NGramModel } from '../../src/ngram/ngram-model.js';
import { splitLines, tokenizeSentence } from '../../src/ngram/tokenize.js';
import { trainNGram } from '../../src/ngram/train.js';
import { KENLM_FIXTURES, tempDir } from '../helpers/paths.js';

const arpaText = readFileSync(join(KENLM_FIXTURES, 'tiny40.o3.arpa'), 'utf8');
const test = splitLines(readFileSync(join(KENLM_FIXTURES, 'tiny40.test.txt'), 'utf8')).map((l) =>
  tokenizeSentence(l, 'word'),
);

function scores(model: BackoffModel): number[] {
  return test.flatMap((t) => scoreSentence(model, t).map((s) => s.log10p));
}

function text(model: BackoffModel): string {
  return Buffer.concat([...arpaChunks(model)]).toString('utf8');
}

describe('ARPA files', () => {
  it('reads a KenLM file and writes it back with the same n-grams and values', () => {
    const model = parseArpa(arpaText);
    const again = parseArpa(text(model));
    assert.deepEqual(scores(again), scores(model));
    const lines = (t: string) => new Set(splitLines(t).filter((l) => l.includes('\t')));
    assert.deepEqual(lines(text(model)), lines(arpaText));
  });

  it('round-trips lmkit models of every estimator through a file', () => {
    const dir = tempDir();
    const train = splitLines(readFileSync(join(KENLM_FIXTURES, 'tiny40.train.txt'), 'utf8'));
    for (const smoothing of ['kn', 'mle', 'addk', 'stupid'] as const) {
      const { model } = trainNGram(train, { order: 3, smoothing });
      const path = join(dir, `${smoothing}.arpa`);
      writeArpa(model, path);
      const back = NGramModel.load(path).backoff;
      assert.equal(back.info.estimator, smoothing);
      const a = scores(model);
      const b = scores(back);
      a.forEach((v, i) =>
        assert.ok(v === b[i] || Math.abs(v - b[i]) < 1e-6, `${smoothing} token ${i}: ${v} vs ${b[i]}`),
      );
    }
  });

  it('accepts SRILM conventions: -99 for <s>, missing backoffs, a missing <unk>, missing contexts', () => {
    const srilm = [
      '\\data\\',
      'ngram 1=4',
      'ngram 2=3',
      'ngram 3=1',
      '',
      '\\1-grams:',
      '-99\t<s>\t-0.5',
      '-0.5\t</s>',
      '-0.6\ta\t-0.2',
      '-0.7\tb',
      '',
      '\\2-grams:',
      '-0.3\t<s> a\t-0.1',
      '-0.2\ta b',
      '-0.4\tb </s>',
      '',
      '\\3-grams:',
      '-0.1\ta b </s>',
      '',
      '\\end\\',
    ].join('\n');
    const m = parseArpa(srilm, 'srilm.arpa');
    const s = scoreSentence(m, ['a', 'b']);
    assert.ok(Math.abs(s[0].log10p - -0.3) < 1e-6); // <s> a
    assert.ok(Math.abs(s[1].log10p - (-0.1 + -0.2)) < 1e-6); // b(<s> a) + p(b | a)
    assert.ok(Math.abs(s[2].log10p - -0.1) < 1e-6); // a b </s>
    assert.equal(s[2].matched, 3);
    assert.equal(scoreSentence(m, ['zzz'])[0].log10p, -Infinity); // no <unk>: OOVs get probability 0
  });

  it('adds a pruned context that is missing, with its backed-off probability, so scores do not change', () => {
    const pruned = [
      '\\data\\',
      'ngram 1=4',
      'ngram 2=2',
      'ngram 3=1',
      '',
      '\\1-grams:',
      '-1\t<unk>',
      '-99\t<s>\t-0.5',
      '-0.6\ta\t-0.2',
      '-0.7\tb\t-0.1',
      '',
      '\\2-grams:',
      '-0.3\t<s> a\t-0.1',
      '-0.4\tb a\t-0.3',
      '',
      '\\3-grams:',
      '-0.05\ta b a', // its context "a b" is missing
      '',
      '\\end\\',
    ].join('\n');
    const m = parseArpa(pruned);
    const s = scoreSentence(m, ['a', 'b', 'a']);
    // p(b | <s> a): "<s> a b" and "a b" missing: b(<s> a) + b(a) + p(b)
    assert.ok(Math.abs(s[1].log10p - (-0.1 + -0.2 + -0.7)) < 1e-6);
    assert.ok(Math.abs(s[2].log10p - -0.05) < 1e-6);
  });

  for (const [what, body, pattern] of [
    ['a truncated file', arpaText.slice(0, arpaText.length / 2), /m\.arpa:\d+: /],
    [
      'a file cut after a section',
      arpaText.slice(0, arpaText.indexOf('\\3-grams:')),
      /m\.arpa:\d+: the file ends before the \\3-grams/,
    ],
    [
      'a positive log probability',
      arpaText.replace('-2.9693727\t<unk>', '0.5\t<unk>'),
      /:7: log10 probability 0.5 is positive/,
    ],
    ['a NaN', arpaText.replace('-2.9693727\t<unk>', 'nan\t<unk>'), /:7: .*not a finite number/],
    [
      'a backoff at the top order',
      arpaText.replace(/(\\3-grams:\n[^\n]+)/, '$1\t-0.5'),
      /non-zero backoff -0.5 at the top order 3/,
    ],
    [
      'a word missing from the unigrams',
      arpaText.replace(/(\\2-grams:\n\S+\t)\S+/, '$1nonesuch'),
      /"nonesuch" of a 2-gram is missing from the unigrams/,
    ],
    [
      'a wrong count',
      arpaText.replace('ngram 3=867', 'ngram 3=900'),
      /found 867 3-grams where the header declares 900/,
    ],
    ['no \\data\\ header', 'hello world\n', /:1: expected \\data\\/],
    ['an empty file', '', /empty/],
  ] as const) {
    it(`rejects ${what} with the line number`, () => {
      assert.throws(() => parseArpa(body, 'm.arpa'), pattern);
    });
  }
});

describe('binary models', () => {
  const train = splitLines(readFileSync(join(KENLM_FIXTURES, 'tiny40.train.txt'), 'utf8'));
  const { model } = trainNGram(train, { order: 4, smoothing: 'kn' });
  const dir = tempDir();

  it('give exactly the same scores as the model they were written from, and are smaller than ARPA', () => {
    writeBinary(model, join(dir, 'm.bin'));
    writeArpa(model, join(dir, 'm.arpa'));
    const back = readBinary(join(dir, 'm.bin'));
    assert.deepEqual(scores(back), scores(model));
    assert.deepEqual(back.info, model.info);
    assert.ok(readFileSync(join(dir, 'm.bin')).length < readFileSync(join(dir, 'm.arpa')).length);
  });

  it('are told apart from ARPA by their first bytes when loading', () => {
    const lm = NGramModel.load(join(dir, 'm.bin'));
    assert.equal(lm.backoff.order, 4);
    assert.equal(NGramModel.load(join(dir, 'm.arpa')).backoff.order, 4);
  });

  it('reject truncated files and garbage with a clear message', () => {
    const bytes = readFileSync(join(dir, 'm.bin'));
    writeFileSync(join(dir, 'cut.bin'), bytes.subarray(0, bytes.length - 100));
    assert.throws(() => readBinary(join(dir, 'cut.bin')), /truncated or damaged|ends early|unexpected bytes/);
    writeFileSync(join(dir, 'garbage.bin'), Buffer.from([0, 1, 2, 3, 255, 254, 0, 7, 9]));
    assert.throws(
      () => NGramModel.load(join(dir, 'garbage.bin')),
      /neither an ARPA file nor an lmkit binary/,
    );
    assert.throws(() => NGramModel.load(join(dir, 'none.arpa')), /does not exist/);
  });
});
