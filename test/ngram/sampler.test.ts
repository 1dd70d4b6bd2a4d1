import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { generateTokens } from '../../src/generate/sample.js';
import type { DrawOptions } from '../../src/lm.js';
import type { BackoffModel, ScoreState } from '../../src/ngram/backoff-model.js';
import { NGramModel } from '../../src/ngram/ngram-model.js';
import { BackoffSampler, ranksBefore } from '../../src/ngram/sampler.js';
import { splitLines } from '../../src/ngram/tokenize.js';
import { trainNGram, type NGramTrainOptions } from '../../src/ngram/train.js';
import { BOS, EOS, UNK } from '../../src/ngram/vocabulary.js';
import { Rng } from '../../src/util/rng.js';
import { KENLM_FIXTURES } from '../helpers/paths.js';

const tiny40 = splitLines(readFileSync(join(KENLM_FIXTURES, 'tiny40.train.txt'), 'utf8'));
const ESTIMATORS: [string, NGramTrainOptions][] = [
  ['Kneser-Ney', { order: 3, smoothing: 'kn' }],
  ['add-k', { order: 3, smoothing: 'addk', k: 0.5 }],
  ['stupid backoff', { order: 3, smoothing: 'stupid' }],
  ['MLE', { order: 3, smoothing: 'mle' }],
];
const HISTORIES = [
  [],
  ['the'],
  ['the', 'jury'],
  ['jury', 'said'],
  ['of', 'the'],
  ['zzz'],
  ['the', 'zzz'],
  ['said', 'the'],
];
const OPTIONS: DrawOptions[] = [
  {},
  { suppressTokens: [UNK] },
  { temperature: 0.7, suppressTokens: [UNK] },
  { temperature: 1.6 },
  { temperature: 0 },
  { temperature: 0, suppressTokens: [UNK] },
  { topK: 5 },
  { topK: 40, temperature: 0.8, suppressTokens: [UNK] },
  { topP: 0.5 },
  { topP: 0.9, temperature: 1.3, suppressTokens: [UNK] },
  { topK: 20, topP: 0.7, suppressTokens: [UNK] },
];

function stateAfter(model: BackoffModel, history: string[]): ScoreState {
  const state = model.beginSentence();
  for (const w of history) model.advance(state, model.vocab.idOf(w), state);
  return state;
}

/**
 * The distribution sampleToken draws from, computed over the whole vocabulary: the backoff model's full
 * next-word distribution, suppressed tokens removed, tempered, cut by top-k then top-p, normalised.
 */
function reference(model: BackoffModel, state: ScoreState, o: DrawOptions): Float64Array {
  const p = model.distribution(state, new Float64Array(model.vocab.size));
  for (const t of o.suppressTokens ?? []) p[t] = 0;
  const t = o.temperature ?? 1;
  let ids = Array.from(p.keys())
    .filter((w) => p[w] > 0)
    .sort((a, b) => (ranksBefore(p[a], a, p[b], b) ? -1 : 1));
  const out = new Float64Array(p.length);
  if (!ids.length) return out;
  if (t === 0) {
    out[ids[0]] = 1;
    return out;
  }
  const w = (i: number) => Math.pow(p[i], 1 / t);
  if (o.topK) ids = ids.slice(0, o.topK);
  if ((o.topP ?? 1) < 1) {
    const total = ids.reduce((s, i) => s + w(i), 0);
    let acc = 0;
    const k = ids.findIndex((i) => (acc += w(i)) >= (o.topP as number) * total);
    ids = ids.slice(0, k + 1);
  }
  const total = ids.reduce((s, i) => s + w(i), 0);
  for (const i of ids) out[i] = w(i) / total;
  return out;
}

/** The exact distribution the sampler draws from, read off its plan (and shortlist) without drawing. */
function samplerDistribution(
  sampler: BackoffSampler,
  state: ScoreState,
  o: DrawOptions,
  size: number,
  merged = false,
): Float64Array | undefined {
  const t = o.temperature ?? 1;
  const plan = sampler.plan(state, o.suppressTokens ?? [], t === 0 ? 1 : t);
  const out = new Float64Array(size);
  if (t === 0 || o.topK || (o.topP ?? 1) < 1) {
    const k = t === 0 ? 1 : (o.topK ?? 0);
    const p = t === 0 ? 1 : (o.topP ?? 1);
    const list = merged
      ? sampler.ranked(state, t === 0 ? 1 : t, o.suppressTokens ?? [], k, p)
      : sampler.shortlist(plan, k, p);
    if (!list) return undefined;
    const total = list.reduce((s, c) => s + c.weight, 0);
    for (const c of list) out[c.id] = t === 0 ? (c === list[0] ? 1 : 0) : c.weight / total;
    return out;
  }
  for (let i = 0; i < plan.count; i++) out[plan.ids[i]] = plan.weights[i];
  for (let w = 0; w < size; w++) if (plan.inLeftover(w)) out[w] = plan.leftoverScale * plan.unigramWeight(w);
  const total = out.reduce((s, x) => s + x, 0);
  return total > 0 ? out.map((x) => x / total) : out;
}

describe('sampling an n-gram model without its whole distribution', () => {
  for (const [name, options] of ESTIMATORS) {
    it(`${name}: the sampler's distribution is the full computation's, for every context and setting`, () => {
      const model = trainNGram(tiny40, options).model;
      const sampler = new BackoffSampler(model);
      for (const history of HISTORIES) {
        const state = stateAfter(model, history);
        for (const o of OPTIONS) {
          const want = reference(model, state, o);
          for (const merged of [false, true]) {
            const got = samplerDistribution(sampler, state, o, model.vocab.size, merged);
            if (!got) {
              // the merged ranking declines only where there is nothing to draw (MLE after an unseen word)
              assert.ok(merged && want.every((x) => x === 0), `${name} [${history}]: ranking declined`);
              continue;
            }
            let worst = 0;
            for (let w = 0; w < want.length; w++) worst = Math.max(worst, Math.abs(got[w] - want[w]));
            assert.ok(
              worst < 1e-12,
              `${name} after [${history}] ${JSON.stringify(o)} (${merged}): off by ${worst}`,
            );
            assert.equal(got[BOS], 0);
            if (o.suppressTokens) assert.equal(got[UNK], 0);
          }
        }
      }
    });
  }

  for (const [name, options] of ESTIMATORS) {
    it(`${name}: the descent's total mass, from sums cached per context, is the full distribution's`, () => {
      const model = trainNGram(tiny40, options).model;
      const sampler = new BackoffSampler(model);
      for (const temperature of [1, 0.7, 1.6]) {
        for (const history of HISTORIES) {
          const state = stateAfter(model, history);
          const p = model.distribution(state, new Float64Array(model.vocab.size));
          const want = p.reduce((s, x) => s + Math.pow(x, 1 / temperature), 0);
          for (let again = 0; again < 2; again++) {
            const got = sampler.descentTotal(state, temperature);
            if (want === 0) {
              assert.equal(got, undefined); // nothing to draw (MLE after an unseen word): the full path says so
              continue;
            }
            assert.ok(
              got !== undefined,
              `${name} [${history}]: the descent refused a model its estimator made`,
            );
            assert.ok(
              Math.abs(got - want) <= 1e-12 * want,
              `${name} [${history}] T=${temperature}: ${got} vs ${want}`,
            );
          }
        }
      }
    });
  }

  it('draws follow that distribution, through the leftover (rejection and its fallback) too', () => {
    for (const [corpus, history, o, smoothing] of [
      [tiny40, ['of', 'the'], { temperature: 0.7, suppressTokens: [UNK] }, 'addk'],
      [tiny40, ['the', 'jury'], {}, 'stupid'],
      [tiny40, ['zzz'], { suppressTokens: [UNK] }, 'kn'],
      [tiny40, ['said'], { temperature: 1.4 }, 'mle'],
      [['a b a', 'b a c', 'a b', 'c c d'], ['a'], { suppressTokens: [UNK] }],
      [['a b a', 'b a c', 'a b', 'c c d'], ['d'], { temperature: 0.8 }],
      [tiny40, ['the'], {}],
      [tiny40, ['said', 'the'], { topP: 0.8, suppressTokens: [UNK] }],
      [tiny40, [], { topK: 10, temperature: 1.5 }],
    ] as [string[], string[], DrawOptions, NGramTrainOptions['smoothing']?][]) {
      const model = trainNGram(corpus, { order: 3, smoothing: smoothing ?? 'kn' }).model;
      const lm = new NGramModel(model);
      const want = reference(model, stateAfter(model, history), o);
      const state = lm.start(history.map((w) => model.vocab.idOf(w)));
      const rng = new Rng(7);
      const n = 30000;
      const counts = new Float64Array(want.length);
      for (let i = 0; i < n; i++) counts[state.sample?.(o, rng) as number]++;
      for (let w = 0; w < want.length; w++) {
        const sd = Math.sqrt((want[w] * (1 - want[w])) / n);
        assert.ok(
          Math.abs(counts[w] / n - want[w]) <= 5 * sd + 1e-9,
          `[${history}] ${JSON.stringify(o)}: word ${model.vocab.words[w]} drawn ${counts[w] / n}, p = ${want[w]}`,
        );
      }
    }
  });

  it('generation never yields <unk>, and penalties or tiny temperatures use the full distribution', () => {
    const model = trainNGram(tiny40, { order: 3, smoothing: 'kn' }).model;
    const lm = new NGramModel(model);
    const rng = new Rng(1);
    for (let i = 0; i < 200; i++) {
      const ids = [...generateTokens(lm, [], { suppressTokens: [UNK], maxTokens: 30 }, rng)];
      assert.ok(!ids.includes(UNK) && !ids.includes(BOS));
    }
    const state = lm.start([]);
    const seen = new Map([[5, 1]]);
    assert.equal(state.sample?.({ repetitionPenalty: 1.3 }, rng, seen), undefined);
    assert.equal(state.sample?.({ temperature: 0.05 }, rng), undefined);
    assert.notEqual(state.sample?.({ repetitionPenalty: 1.3 }, rng, new Map()), undefined);
  });

  it('MLE with every possible word suppressed has nothing to sample', () => {
    const model = trainNGram(['a b', 'b a'], { order: 2, smoothing: 'mle' }).model;
    const lm = new NGramModel(model);
    // after <s> a, MLE has only b and </s>; suppressing them leaves no token
    const b = model.vocab.idOf('b');
    const state = lm.start([model.vocab.idOf('a')]);
    assert.equal(state.sample?.({ suppressTokens: [b, EOS] }, new Rng(1)), -1);
    assert.equal(state.sample?.({ suppressTokens: [b] }, new Rng(1)), EOS);
  });
});
