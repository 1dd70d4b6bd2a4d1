import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brownSentences } from '../../src/data/brown.js';
import { buildCorpus } from '../../src/embed/corpus.js';
import { trainSentencesRef, type Word2VecState } from '../../src/embed/kernel-ref.js';
import { hasNativeWord2Vec, trainSentencesNative } from '../../src/embed/native-kernel.js';
import { initialState, kernelParams, trainWord2Vec, WORD2VEC_DEFAULTS } from '../../src/embed/word2vec.js';

const skip = hasNativeWord2Vec() ? false : 'the native addon is not built';

/** The first 2,000 sentences of Brown, lowercased: about 45,000 words. */
async function smallCorpus() {
  const sentences = (await brownSentences()).slice(0, 2000).map((s) => s.toLowerCase());
  return buildCorpus([sentences], { level: 'word', minCount: 3, source: 'brown[:2000]' });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function maxAbs(a: Float32Array): number {
  return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

describe('native word2vec kernel', { skip }, () => {
  for (const sg of [true, false])
    for (const [hs, negative] of [
      [false, 5],
      [true, 0],
      [true, 3],
    ] as const) {
      const name = `${sg ? 'skip-gram' : 'CBOW'}, ${[hs ? 'hs' : '', negative ? `negative ${negative}` : ''].filter(Boolean).join(' + ')}`;
      it(`on one thread matches the TypeScript reference: ${name}`, async () => {
        const corpus = await smallCorpus();
        const config = { ...WORD2VEC_DEFAULTS, sg, hs, negative, vector_size: 32, epochs: 1 };
        const a: Word2VecState = initialState(corpus, config);
        const b: Word2VecState = initialState(corpus, config);
        const p = kernelParams(corpus, config, true);
        const S = corpus.sentenceStarts.length - 1;
        const r1 = trainSentencesRef(a, corpus.ids, corpus.sentenceStarts, p, 0, 0, S, 0);
        const r2 = trainSentencesNative(b, corpus.ids, corpus.sentenceStarts, p, 0, 0, S, 0, 1);
        assert.equal(r2.words, r1.words);
        assert.equal(r2.targets, r1.targets); // the same random draws: the same noise words and windows
        assert.ok(Math.abs(r2.loss / r1.loss - 1) < 1e-4, `loss ${r2.loss} vs ${r1.loss}`);
        const scale = maxAbs(a.syn0);
        assert.ok(maxAbsDiff(a.syn0, b.syn0) < 1e-3 * scale, `syn0 differs by ${maxAbsDiff(a.syn0, b.syn0)}`);
        if (negative) assert.ok(maxAbsDiff(a.syn1neg, b.syn1neg) < 1e-3 * maxAbs(a.syn1neg));
        if (hs) assert.ok(maxAbsDiff(a.syn1, b.syn1) < 1e-3 * maxAbs(a.syn1));
      });
    }

  it('on several Hogwild threads trains every word once per epoch and lowers the loss', async () => {
    const corpus = await smallCorpus();
    const config = { ...WORD2VEC_DEFAULTS, sg: true, vector_size: 32, epochs: 3, workers: 3 };
    const losses: number[] = [];
    const r = trainWord2Vec(corpus, config, {
      backend: 'native',
      computeLoss: true,
      onProgress: (_d, _t, loss) => losses.push(loss),
    });
    assert.equal(r.backend, 'native');
    assert.equal(r.words, corpus.ids.length * 3);
    assert.ok(
      losses[losses.length - 1] < losses[0] * 0.9,
      `loss ${losses[0]} -> ${losses[losses.length - 1]}`,
    );
  });

  it('refuses arrays that do not fit the sizes it is given', async () => {
    const corpus = await smallCorpus();
    const config = { ...WORD2VEC_DEFAULTS, vector_size: 8 };
    const st = initialState(corpus, config);
    const p = kernelParams(corpus, config, false);
    const bad = { ...st, syn0: st.syn0.subarray(0, 10) };
    assert.throws(
      () => trainSentencesNative(bad, corpus.ids, corpus.sentenceStarts, p, 0, 0, 5, 0, 1),
      /syn0 has 10 elements/,
    );
    const ids = corpus.ids.slice();
    ids[0] = corpus.words.length;
    assert.throws(
      () => trainSentencesNative(st, ids, corpus.sentenceStarts, p, 0, 0, 5, 0, 1),
      /ids out of range/,
    );
  });
});
