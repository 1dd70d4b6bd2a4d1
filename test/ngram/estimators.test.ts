import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { BackoffModel } from '../../src/ngram/backoff-model.js';
import { Evaluator } from '../../src/ngram/evaluate.js';
import { NGramModel } from '../../src/ngram/ngram-model.js';
import { splitLines } from '../../src/ngram/tokenize.js';
import { trainNGram } from '../../src/ngram/train.js';
import { KENLM_FIXTURES } from '../helpers/paths.js';

const CORPUS = ['a b a', 'b a c', 'a b'];
const tiny40 = splitLines(readFileSync(join(KENLM_FIXTURES, 'tiny40.train.txt'), 'utf8'));

/** log10 p(word | history) for a history given as words (the sentence start is implied). */
function log10p(model: BackoffModel, history: string[], word: string): number {
  const state = model.beginSentence();
  for (const w of history) model.advance(state, model.vocab.idOf(w), state);
  return model.score(state, model.vocab.idOf(word), state);
}

/** Sum of the next-word distribution over the vocabulary after a history. */
function mass(model: BackoffModel, history: string[]): number {
  const lm = new NGramModel(model);
  const ids = history.map((w) => model.vocab.idOf(w));
  return Array.from(lm.start(ids).logProbs()).reduce((s, lp) => s + Math.exp(lp), 0);
}

function rawMass(model: BackoffModel, history: string[]): number {
  const state = model.beginSentence();
  for (const w of history) model.advance(state, model.vocab.idOf(w), state);
  return model.distribution(state, new Float64Array(model.vocab.size)).reduce((a, b) => a + b, 0);
}

describe('maximum likelihood', () => {
  const { model } = trainNGram(CORPUS, { order: 2, smoothing: 'mle' });

  it('gives relative frequencies c(h w) / c(h)', () => {
    // "a" is followed by b twice, c once, </s> once.
    assert.ok(Math.abs(log10p(model, ['a'], 'b') - Math.log10(2 / 4)) < 1e-6);
    assert.ok(Math.abs(log10p(model, ['a'], 'c') - Math.log10(1 / 4)) < 1e-6);
    assert.ok(Math.abs(log10p(model, [], 'a') - Math.log10(2 / 3)) < 1e-6); // p(a | <s>)
  });

  it('gives unseen events probability 0 and reports infinite perplexity with the count of such events', () => {
    assert.equal(log10p(model, ['c'], 'a'), -Infinity);
    const ev = new Evaluator(model);
    ev.add(['a', 'b']);
    ev.add(['c', 'a']);
    ev.add(['b', 'c']);
    const s = ev.summary();
    assert.equal(s.perplexity, Infinity);
    assert.equal(s.zeroProbEvents, 3); // <s>→c, c→a and b→c were never seen
    assert.ok(!Number.isNaN(s.perplexity));
  });
});

describe('add-k', () => {
  it('adds k to every count: (c(h w) + k) / (c(h) + k|V|), unseen words included', () => {
    const { model } = trainNGram(CORPUS, { order: 2, smoothing: 'addk', k: 0.5 });
    const V = 5; // a b c </s> <unk>
    assert.ok(Math.abs(log10p(model, ['a'], 'b') - Math.log10((2 + 0.5) / (4 + 0.5 * V))) < 1e-6);
    assert.ok(Math.abs(log10p(model, ['c'], 'a') - Math.log10(0.5 / (1 + 0.5 * V))) < 1e-6);
    assert.ok(Math.abs(log10p(model, ['a'], 'zebra') - Math.log10(0.5 / (4 + 0.5 * V))) < 1e-6);
  });

  it('is Laplace by default and sums to one after every context, seen or not', () => {
    const { model } = trainNGram(tiny40, { order: 3, smoothing: 'addk' });
    assert.equal(model.info.details?.k, 1);
    for (const h of [[], ['the'], ['the', 'jury'], ['never', 'seen']])
      assert.ok(Math.abs(rawMass(model, h) - 1) < 1e-4, h.join(' '));
  });
});

describe('stupid backoff', () => {
  const { model } = trainNGram(CORPUS, { order: 3, smoothing: 'stupid' });

  it('uses relative frequencies and multiplies by alpha = 0.4 for each shortened context', () => {
    assert.ok(Math.abs(log10p(model, ['a', 'b'], 'a') - Math.log10(1 / 2)) < 1e-6); // "a b a" once, "a b" twice
    // "b a b" unseen; "a b" seen once of "a" 4 times → 0.4 · 2/4
    assert.ok(Math.abs(log10p(model, ['b', 'a'], 'b') - Math.log10(0.4 * (2 / 4))) < 1e-6);
    // "c" never precedes "b": 0.4 · 0.4 · c(b)/tokens (tokens = 8 words + 3 </s> = 11)
    assert.ok(Math.abs(log10p(model, ['a', 'c'], 'b') - Math.log10(0.4 * 0.4 * (3 / 11))) < 1e-6);
  });

  it('charges alpha even when the context was never seen', () => {
    assert.ok(Math.abs(log10p(model, ['q', 'z'], 'a') - Math.log10(0.4 * 0.4 * (4 / 11))) < 1e-6);
  });
});

describe('Kneser-Ney', () => {
  it('works at any order, from unigrams to order 9, and its distributions sum to one', () => {
    for (const order of [1, 2, 5, 9]) {
      const { model } = trainNGram(tiny40, { order, smoothing: 'kn' });
      assert.equal(model.order, order);
      for (const h of [[], ['the'], ['the', 'jury', 'said'], ['unseen', 'words']]) {
        assert.ok(
          Math.abs(mass(model, h) - 1) < 1e-4,
          `order ${order} after "${h.join(' ')}": ${mass(model, h)}`,
        );
      }
    }
  });

  it('prunes n-grams at or below the count threshold and moves their mass to the backoff', () => {
    const full = trainNGram(tiny40, { order: 3, smoothing: 'kn' }).model;
    const pruned = trainNGram(tiny40, { order: 3, smoothing: 'kn', prune: [0, 1, 1] }).model;
    assert.equal(pruned.size(1), full.size(1));
    assert.ok(pruned.size(2) < full.size(2) / 2, `${pruned.size(2)} of ${full.size(2)} bigrams kept`);
    assert.ok(pruned.size(3) < full.size(3) / 2);
    for (const h of [[], ['the'], ['the', 'jury'], ['of', 'the']])
      assert.ok(Math.abs(mass(pruned, h) - 1) < 1e-4);
  });

  it('rejects unigram pruning and decreasing thresholds', () => {
    assert.throws(() => trainNGram(tiny40, { order: 3, smoothing: 'kn', prune: [1] }), /unigram pruning/);
    assert.throws(
      () => trainNGram(tiny40, { order: 3, smoothing: 'kn', prune: [0, 2, 1] }),
      /non-decreasing/,
    );
  });

  it('uses explicit discounts when given', () => {
    const d = { d1: 0.3, d2: 0.6, d3: 0.9 };
    const { model, warnings } = trainNGram(tiny40, { order: 3, smoothing: 'kn', discounts: [d] });
    assert.deepEqual(warnings, []);
    assert.deepEqual((model.info.details?.discounts as unknown[])[2], d);
  });
});

describe('training input', () => {
  it('rejects an empty corpus, order 0 and a line containing <s>', () => {
    assert.throws(() => trainNGram([], { order: 3, smoothing: 'kn' }), /no words/);
    assert.throws(() => trainNGram(['', '  '], { order: 3, smoothing: 'kn' }), /no words/);
    assert.throws(
      () => trainNGram(CORPUS, { order: 0, smoothing: 'kn' }),
      /order must be a whole number ≥ 1/,
    );
    assert.throws(
      () => trainNGram(['a <s> b'], { order: 2, smoothing: 'kn' }),
      /line 1 contains the reserved token <s>/,
    );
  });

  it('drops reserved tokens with skipSymbols, and counts <unk> as the unknown word with unkInText', () => {
    const skipped = trainNGram(['a <s> b', 'a b c', 'b c a'], {
      order: 2,
      smoothing: 'addk',
      skipSymbols: true,
    }).model;
    assert.ok(log10p(skipped, ['a'], 'b') > log10p(skipped, ['a'], 'c'));
    const unk = trainNGram(['a <unk> b', '<unk> b', 'a b'], {
      order: 2,
      smoothing: 'mle',
      unkInText: true,
    }).model;
    assert.ok(Math.abs(log10p(unk, ['<unk>'], 'b') - 0) < 1e-6);
  });

  it('trains character-level models, one token per code point, so Chinese works', () => {
    const { model } = trainNGram(['床前明月光', '疑是地上霜', 'hello world'], {
      order: 3,
      smoothing: 'kn',
      level: 'char',
    });
    assert.equal(model.info.level, 'char');
    assert.ok(model.vocab.lookup('月') !== undefined);
    assert.ok(model.vocab.lookup('\u2581') !== undefined); // the space between hello and world
    assert.ok(log10p(model, ['明'], '月') > log10p(model, ['明'], '霜'));
  });
});

describe('NGramModel as a LanguageModel', () => {
  for (const smoothing of ['kn', 'addk', 'mle'] as const) {
    it(`gives the same next-word probabilities through logProbs() as scoring does (${smoothing})`, () => {
      const { model } = trainNGram(tiny40, { order: 3, smoothing });
      const lm = new NGramModel(model);
      for (const history of [[], ['the'], ['the', 'jury'], ['of', 'unseen']]) {
        const lp = lm.start(history.map((w) => model.vocab.idOf(w))).logProbs();
        for (const w of ['the', 'jury', 'said', '.', '</s>', 'zebra']) {
          const expected = log10p(model, history, w) * Math.LN10;
          const got = lp[model.vocab.idOf(w)];
          if (expected === -Infinity) assert.equal(got, -Infinity);
          else
            assert.ok(
              Math.abs(got - expected) < 1e-4,
              `${smoothing} p(${w} | ${history.join(' ')}): ${got} vs ${expected}`,
            );
        }
        assert.equal(lp[model.vocab.idOf('<s>')], -Infinity);
      }
    });
  }

  it('exposes the tokenizer and context length, and decodes without sentence markers', () => {
    const { model } = trainNGram(tiny40, { order: 4, smoothing: 'kn' });
    const lm = new NGramModel(model);
    assert.equal(lm.kind, 'ngram');
    assert.equal(lm.contextLength, 3);
    const ids = lm.tokenizer.encode('the jury said');
    assert.equal(
      lm.tokenizer.decode([lm.tokenizer.special.bos as number, ...ids, lm.tokenizer.special.eos as number]),
      'the jury said',
    );
    assert.equal(lm.tokenizer.encode('the zebra')[1], lm.tokenizer.special.unk);
  });
});
