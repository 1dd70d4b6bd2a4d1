import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCorpus, type Word2VecCorpus } from '../../src/embed/corpus.js';
import {
  logisticLoss,
  logisticStep,
  trainSentencesRef,
  type KernelParams,
  type Word2VecState,
} from '../../src/embed/kernel-ref.js';
import {
  initialState,
  kernelParams,
  WORD2VEC_DEFAULTS,
  type Word2VecConfig,
} from '../../src/embed/word2vec.js';
import { Rng } from '../../src/util/rng.js';

const D = 6;

function randomVector(rng: Rng, n: number, scale = 0.5): Float32Array {
  return Float32Array.from({ length: n }, () => (rng.uniform() - 0.5) * 2 * scale);
}

function cloneState(st: Word2VecState): Word2VecState {
  return { ...st, syn0: st.syn0.slice(), syn1neg: st.syn1neg.slice(), syn1: st.syn1.slice() };
}

/** Central finite difference of f at x[i]; x is restored. Computed in float64 over float32 storage. */
function numericGrad(f: () => number, x: Float32Array, i: number, h = 1e-3): number {
  const v = x[i];
  x[i] = v + h;
  const up = f();
  x[i] = v - h;
  const down = f();
  x[i] = v;
  return (up - down) / (Math.fround(v + h) - Math.fround(v - h));
}

describe('word2vec update', () => {
  it('logisticLoss is −log σ((2y−1) f), stable for large |f|', () => {
    for (const f of [-3, -0.2, 0, 0.7, 4]) {
      assert.ok(Math.abs(logisticLoss(1, f) + Math.log(1 / (1 + Math.exp(-f)))) < 1e-12);
      assert.ok(Math.abs(logisticLoss(0, f) + Math.log(1 - 1 / (1 + Math.exp(-f)))) < 1e-12);
    }
    assert.ok(Math.abs(logisticLoss(1, -800) - 800) < 1e-9);
    assert.equal(logisticLoss(0, -800), 0);
  });

  it('one logistic step moves u by −α ∂ℓ/∂u and reports −α ∂ℓ/∂h in neu1e (finite differences)', () => {
    const rng = new Rng(3);
    for (const label of [0, 1]) {
      const h = randomVector(rng, D);
      const u = randomVector(rng, D);
      const loss = () => {
        let f = 0;
        for (let d = 0; d < D; d++) f += h[d] * u[d];
        return logisticLoss(label, f);
      };
      const gradH = Array.from({ length: D }, (_, d) => numericGrad(loss, h, d));
      const gradU = Array.from({ length: D }, (_, d) => numericGrad(loss, u, d));
      const alpha = 0.1;
      const u0 = u.slice();
      const neu1e = new Float32Array(D);
      const l = logisticStep(h, 0, u, 0, label, alpha, neu1e, D, true);
      assert.ok(
        Math.abs(
          l -
            logisticLoss(
              label,
              h.reduce((s, v, d) => s + v * u0[d], 0),
            ),
        ) < 1e-6,
      );
      for (let d = 0; d < D; d++) {
        assert.ok(Math.abs(neu1e[d] - -alpha * gradH[d]) < 1e-5, `h[${d}]`);
        assert.ok(Math.abs(u[d] - u0[d] - -alpha * gradU[d]) < 1e-5, `u[${d}]`);
      }
    }
  });

  // A sentence of three different words, window 1 (so no random window), hierarchical softmax only (no
  // random noise words), no subsampling: one sentence's updates are then a deterministic function of
  // the weights. With a small α the total change is −α times the gradient of the summed loss, to first order.
  async function threeWords(sg: boolean): Promise<{ corpus: Word2VecCorpus; config: Word2VecConfig }> {
    const corpus = await buildCorpus([['a b c', 'a a b b b c c c c']], {
      level: 'word',
      minCount: 1,
      source: 't',
    });
    corpus.sentenceStarts = corpus.sentenceStarts.subarray(0, 2); // train only "a b c"
    const config = { ...WORD2VEC_DEFAULTS, sg, vector_size: D, window: 1, hs: true, negative: 0, sample: 0 };
    return { corpus, config };
  }

  /** The summed HS loss of the sentence: skip-gram (context word → centre) or CBOW (mean context → centre). */
  function sentenceLoss(st: Word2VecState, corpus: Word2VecCorpus, sg: boolean): number {
    const ids = Array.from(corpus.ids.subarray(corpus.sentenceStarts[0], corpus.sentenceStarts[1]));
    const { offsets, codes, points } = st.huffman;
    const pathLoss = (h: Float64Array, centre: number) => {
      let l = 0;
      for (let k = offsets[centre]; k < offsets[centre + 1]; k++) {
        let f = 0;
        for (let d = 0; d < D; d++) f += h[d] * st.syn1[points[k] * D + d];
        l += logisticLoss(1 - codes[k], f);
      }
      return l;
    };
    const row = (w: number) => Float64Array.from(st.syn0.subarray(w * D, (w + 1) * D));
    let total = 0;
    for (let i = 0; i < ids.length; i++) {
      const ctx = [i - 1, i + 1].filter((j) => j >= 0 && j < ids.length).map((j) => ids[j]);
      if (sg) for (const c of ctx) total += pathLoss(row(c), ids[i]);
      else {
        const h = new Float64Array(D);
        for (const c of ctx) for (let d = 0; d < D; d++) h[d] += st.syn0[c * D + d] / ctx.length;
        total += pathLoss(h, ids[i]);
      }
    }
    return total;
  }

  for (const sg of [true, false]) {
    it(`${sg ? 'skip-gram' : 'CBOW'} with hierarchical softmax steps down the gradient of its loss`, async () => {
      const { corpus, config } = await threeWords(sg);
      const st = initialState(corpus, config);
      const rng = new Rng(9);
      st.syn0.set(randomVector(rng, st.syn0.length));
      st.syn1.set(randomVector(rng, st.syn1.length));
      const alpha = 1e-4;
      const p: KernelParams = { ...kernelParams(corpus, config, false), alpha, minAlpha: alpha };
      const before = cloneState(st);
      const loss = () => sentenceLoss(before, corpus, sg);
      trainSentencesRef(st, corpus.ids, corpus.sentenceStarts, p, 0, 0, 1, 0);
      // word2vec.c and gensim move every CBOW context vector by the step of their mean (cw = 2 for "b",
      // 1 for "a" and "c" at the sentence ends): the expected change is −α Σ over windows of cw·∂ℓ/∂x.
      for (const [name, now, was] of [
        ['syn0', st.syn0, before.syn0],
        ['syn1', st.syn1, before.syn1],
      ] as const) {
        for (let i = 0; i < now.length; i++) {
          let g = numericGrad(loss, was, i);
          if (!sg && name === 'syn0') g = cbowScaledGrad(before, corpus, i);
          const step = now[i] - was[i];
          assert.ok(
            Math.abs(step - -alpha * g) < 2e-3 * alpha * (1 + Math.abs(g)),
            `${name}[${i}]: ${step} vs ${-alpha * g}`,
          );
        }
      }
    });
  }

  /**
   * d/dx of the CBOW loss with each window's gradient scaled by its number of context words cw: the step
   * word2vec.c and gensim take (each context vector moves by the whole step of the mean h).
   */
  function cbowScaledGrad(st: Word2VecState, corpus: Word2VecCorpus, i: number): number {
    const ids = Array.from(corpus.ids.subarray(corpus.sentenceStarts[0], corpus.sentenceStarts[1]));
    const { offsets, codes, points } = st.huffman;
    let g = 0;
    for (let pos = 0; pos < ids.length; pos++) {
      const ctx = [pos - 1, pos + 1].filter((j) => j >= 0 && j < ids.length).map((j) => ids[j]);
      const windowLoss = () => {
        const h = new Float64Array(D);
        for (const c of ctx) for (let d = 0; d < D; d++) h[d] += st.syn0[c * D + d] / ctx.length;
        let l = 0;
        for (let k = offsets[ids[pos]]; k < offsets[ids[pos] + 1]; k++) {
          let f = 0;
          for (let d = 0; d < D; d++) f += h[d] * st.syn1[points[k] * D + d];
          l += logisticLoss(1 - codes[k], f);
        }
        return l;
      };
      g += numericGrad(windowLoss, st.syn0, i) * ctx.length;
    }
    return g;
  }
});
