import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateTokens, sampleToken, type SamplingOptions } from '../../src/generate/sample.js';
import type { LanguageModel } from '../../src/lm.js';
import { Rng } from '../../src/util/rng.js';
import { ByteTokenizer, textModel } from './fakes.js';

/** Sampling by the definition: sort every candidate, cut by top-k, softmax, cut by top-p, walk the draw. */
function reference(logProbs: Float32Array, o: SamplingOptions, draw: number): number {
  const t = o.temperature ?? 1;
  let idx = Array.from(logProbs.keys()).filter((i) => logProbs[i] > -Infinity);
  idx.sort((a, b) => logProbs[b] - logProbs[a] || a - b);
  if (o.topK) idx = idx.slice(0, o.topK);
  const p = idx.map((i) => Math.exp((logProbs[i] - logProbs[idx[0]]) / t));
  let total = p.reduce((a, b) => a + b, 0);
  if ((o.topP ?? 1) < 1) {
    let acc = 0;
    let keep = 0;
    while (keep < p.length && acc < (o.topP as number) * total) acc += p[keep++];
    p.length = keep;
    total = p.reduce((a, b) => a + b, 0);
  }
  let u = draw * total;
  for (let j = 0; j < p.length; j++) if ((u -= p[j]) < 0) return idx[j];
  return idx[p.length - 1];
}

function randomLogProbs(rng: Rng, n: number): Float32Array {
  const lp = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rng.uniform();
    // Skewed, with ties (a few distinct tail values) and impossible tokens, as n-gram distributions are.
    lp[i] = r < 0.05 ? -Infinity : r < 0.1 ? -2 - 8 * rng.uniform() : -12 - Math.floor(rng.uniform() * 3);
  }
  return lp;
}

describe('sampleToken', () => {
  it('picks exactly the token that sorting every candidate would pick', () => {
    const rng = new Rng(42);
    const cases: SamplingOptions[] = [
      {},
      { temperature: 0.7 },
      { topP: 0.9 },
      { topK: 50 },
      { topK: 5, topP: 0.5 },
    ];
    for (let trial = 0; trial < 300; trial++) {
      const lp = randomLogProbs(rng, 1 + Math.floor(rng.uniform() * 3000));
      const o = cases[trial % cases.length];
      const seed = rng.nextU32();
      const got = sampleToken(lp, o, new Rng(seed));
      const want = reference(lp, o, new Rng(seed).uniform());
      assert.equal(got, want, `trial ${trial} ${JSON.stringify(o)}`);
    }
  });

  it('is greedy at temperature 0 and never picks a suppressed or penalised-away token', () => {
    const lp = Float32Array.from([-3, -0.1, -2, -Infinity]);
    assert.equal(sampleToken(lp, { temperature: 0 }, new Rng(1)), 1);
    assert.equal(sampleToken(lp, { temperature: 0, suppressTokens: [1] }, new Rng(1)), 2);
    assert.equal(sampleToken(lp, { temperature: 0, presencePenalty: 2 }, new Rng(1), new Set([1])), 2);
    assert.equal(sampleToken(lp, { temperature: 0, frequencyPenalty: 1 }, new Rng(1), new Map([[1, 3]])), 2);
    assert.equal(sampleToken(Float32Array.from([-Infinity]), {}, new Rng(1)), -1);
  });
});

describe('holding off the end of the text', () => {
  it('does not end on a stop token before minTokens, even when it is the likeliest token', () => {
    const tok = new ByteTokenizer();
    const newline = tok.encode('\n')[0];
    const a = tok.encode('a')[0];
    const model: LanguageModel = {
      kind: 'two-token',
      tokenizer: tok,
      contextLength: Infinity,
      start: () => ({
        logProbs() {
          const out = new Float32Array(tok.vocabSize).fill(-Infinity);
          out[newline] = Math.log(0.9);
          out[a] = Math.log(0.1);
          return out;
        },
        push() {},
      }),
    };
    const first = [
      ...generateTokens(model, [], { minTokens: 1, maxTokens: 1, stopTokens: [newline], seed: 1 }),
    ];
    assert.deepEqual(first, [a]);
    const free = [...generateTokens(model, [], { maxTokens: 1, temperature: 0, stopTokens: [newline] })];
    assert.deepEqual(free, [newline]); // after minTokens (here: none) the stop token may come
  });

  it('ends at a stop token, yielding it, and runs on without one', () => {
    const model = textModel('ab\ncd');
    const nl = model.tokenizer.encode('\n')[0];
    const decode = (ids: number[]) => model.tokenizer.decode(ids);
    assert.equal(decode([...generateTokens(model, [], { temperature: 0, stopTokens: [nl] })]), 'ab\n');
    assert.equal(decode([...generateTokens(model, [], { temperature: 0 })]), 'ab\ncd');
  });
});

describe('seeded sampling', () => {
  /** A model whose next token is uniform over 'a'…'z' whatever came before (its context never matters). */
  const letters: LanguageModel = {
    kind: 'letters',
    contextLength: Infinity,
    tokenizer: new ByteTokenizer(),
    start: () => ({
      logProbs() {
        const out = new Float32Array(258).fill(-Infinity);
        for (let c = 97; c <= 122; c++) out[c] = -Math.log(26);
        return out;
      },
      push() {},
    }),
  };
  const sample = (prompt: string, seed: number) =>
    Buffer.from([...generateTokens(letters, [...Buffer.from(prompt)], { maxTokens: 24, seed })]).toString();

  it('repeats itself for the same seed and prompt, but not across prompts', () => {
    assert.equal(sample('the jury', 1), sample('the jury', 1));
    // with one stream of draws per seed, a model that ignores its context wrote the same text after every prompt
    assert.notEqual(sample('the jury', 1), sample('a cat', 1));
    assert.notEqual(sample('the jury', 1), sample('the jury', 2));
  });

  it('mixes the prompt into the seed only when there is a seed', () => {
    const a = Rng.forPrompt(7, [1, 2, 3]);
    const b = Rng.forPrompt(7, [1, 2, 3]);
    assert.equal(a.nextU32(), b.nextU32());
    assert.notEqual(Rng.forPrompt(7, [1, 2, 3]).nextU32(), Rng.forPrompt(7, [1, 2, 4]).nextU32());
    assert.notEqual(Rng.forPrompt(undefined, [1]).nextU32(), Rng.forPrompt(undefined, [1]).nextU32());
  });
});
