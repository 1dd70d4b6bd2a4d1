import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as T from '../../src/tensor/index.js';
import * as nn from '../../src/nn/index.js';
import { GPTWithScalarHead } from '../../src/nn/gpt-scalar-head.js';
import { padSequences } from '../../src/models/reward.js';
import { rankingPairs } from '../../src/train/preference-data.js';
import {
  pairBatch,
  pairwiseRankingLoss,
  responseLogProbs,
  responseTargets,
} from '../../src/train/preference-losses.js';
import { ROOT } from '../helpers/paths.js';
import { testBackends } from '../tensor/backends.js';

// Made by test/fixtures/torch/make_preference_fixture.py with Debian's python3-torch: each sequence scored
// alone and each pair's term written out, on the small GPT of make_gpt_fixture.py.
const dir = join(ROOT, 'test', 'fixtures', 'torch');
const meta = JSON.parse(readFileSync(join(dir, 'preference_fixture.json'), 'utf8')) as {
  config: Partial<nn.GPTConfig>;
  starts: number[];
  rankings: { ranking: number[][]; offset: number; margin: number }[];
  center: number;
  beta: number;
  ref_logps: number[];
  rm_loss: number;
  rewards: number[];
  dpo_loss: number;
  logps: number[];
};
const file = nn.readSafetensors(join(dir, 'preference_fixture.safetensors')).tensors;
const sequences = meta.starts.map((start, i) => ({ ids: file.get(`seq.${i}`)!.data as Int32Array, start }));
const rankings = meta.rankings.map((r) => ({ pairs: rankingPairs(r.ranking), margin: r.margin }));
const offsets = meta.rankings.map((r) => r.offset);

function trunk(): nn.GPT {
  const params = new Map<string, nn.StoredTensor>();
  for (const [k, v] of file) if (k.startsWith('param.')) params.set(k.slice('param.'.length), v);
  const gpt = new nn.GPT(meta.config);
  gpt.loadStateDict(params);
  return gpt;
}

/** max |a − b| ≤ rtol · max |b|. */
function near(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rtol = 1e-4): void {
  let scale = 0;
  let err = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]));
    err = Math.max(err, Math.abs(got[i] - want[i]));
  }
  assert.ok(err <= rtol * scale, `${what}: max error ${err} vs scale ${scale}`);
}

describe('preference losses against PyTorch', () => {
  for (const backend of testBackends()) {
    it(`reward model: rewards at the last token of padded sequences, InstructGPT's loss with margin and centering, every gradient (${backend})`, () => {
      T.setBackend(backend);
      const net = new GPTWithScalarHead(trunk());
      net.score.weight.data.set(file.get('score.weight')!.data);
      const { ids, rows } = padSequences(
        sequences.map((s) => s.ids),
        8,
        17,
      );
      const rewards = net.forward(ids, rows);
      near(rewards.data, meta.rewards, 'rewards');
      const { loss } = pairwiseRankingLoss(rewards, pairBatch(rankings, offsets), meta.center);
      assert.ok(Math.abs(loss.item() - meta.rm_loss) < 1e-5, `loss ${loss.item()} vs ${meta.rm_loss}`);
      loss.backward();
      for (const { name, tensor } of net.namedParameters()) {
        const stored = name.startsWith('transformer.') ? name.slice('transformer.'.length) : name;
        near(tensor.grad!, file.get(`rm_grad.${stored}`)!.data, `grad ${name}`);
      }
      T.setBackend('ref');
    });

    it(`DPO: response log-probabilities summed over response tokens, the loss on β(log π − log π_ref), every gradient (${backend})`, () => {
      T.setBackend(backend);
      const gpt = trunk();
      const logp = responseLogProbs(gpt, sequences);
      near(logp.data, meta.logps, 'log π(response)');
      const rewards = T.scale(T.sub(logp, new T.Tensor(Float32Array.from(meta.ref_logps), [5])), meta.beta);
      const { loss } = pairwiseRankingLoss(
        rewards,
        pairBatch(
          rankings.map((r) => ({ pairs: r.pairs })),
          offsets,
        ),
      );
      assert.ok(Math.abs(loss.item() - meta.dpo_loss) < 1e-5, `loss ${loss.item()} vs ${meta.dpo_loss}`);
      loss.backward();
      for (const { name, tensor } of gpt.namedParameters())
        near(tensor.grad!, file.get(`dpo_grad.${name}`)!.data, `grad ${name}`);
      T.setBackend('ref');
    });
  }
});

describe('pairwise ranking loss', () => {
  it('weighs each ranking equally and each of its C(K,2) pairs by 1/C(K,2)', () => {
    const b = pairBatch([{ pairs: rankingPairs([[0], [1], [2], [3]]) }, { pairs: [[0, 1]] }], [0, 4]);
    assert.deepEqual(Array.from(b.weights), [...Array(6).fill(1 / 12), 1 / 2]);
    assert.deepEqual(b.pairs[6], [4, 5]);
  });

  it("is the margins' −ln σ(−m) for equal rewards and matches finite differences in the rewards (float64)", () => {
    const b = pairBatch([{ pairs: rankingPairs([[1], [0, 2]]) }, { pairs: [[0, 1]], margin: 0.3 }], [0, 3]);
    const equal = pairwiseRankingLoss(new T.Tensor(new Float64Array(5), [5]), b);
    // ranking 1: two pairs at ln 2, each weighing 1/4; ranking 2: −ln σ(0 − 0.3), weighing 1/2
    const expected = Math.log(2) / 2 + Math.log1p(Math.exp(0.3)) / 2;
    assert.ok(Math.abs(equal.loss.item() - expected) < 1e-12, `${equal.loss.item()} vs ${expected}`);
    const r = Float64Array.from([0.3, -1.2, 2.0, 0.5, -0.1]);
    const f = (x: Float64Array) =>
      T.noGrad(() => pairwiseRankingLoss(new T.Tensor(x, [5]), b, 0.05).loss.item());
    const t = new T.Tensor(Float64Array.from(r), [5], true);
    pairwiseRankingLoss(t, b, 0.05).loss.backward();
    for (let i = 0; i < 5; i++) {
      const plus = Float64Array.from(r);
      const minus = Float64Array.from(r);
      plus[i] += 1e-6;
      minus[i] -= 1e-6;
      const numeric = (f(plus) - f(minus)) / 2e-6;
      assert.ok(Math.abs(numeric - t.grad![i]) < 1e-7, `d/dr${i}: ${t.grad![i]} vs ${numeric}`);
    }
  });

  it('stays finite for rewards far apart (log σ without overflow)', () => {
    const b = pairBatch([{ pairs: [[0, 1]] }], [0]);
    const wrong = pairwiseRankingLoss(new T.Tensor(Float32Array.from([-500, 500]), [2]), b).loss.item();
    const right = pairwiseRankingLoss(new T.Tensor(Float32Array.from([500, -500]), [2]), b).loss.item();
    assert.ok(Math.abs(wrong - 1000) < 1e-3, `${wrong}`);
    assert.equal(right, 0);
  });

  it('scores only response tokens: targets before the response are ignored', () => {
    const { x, y } = responseTargets([{ ids: Int32Array.from([5, 6, 7, 8]), start: 2 }]);
    assert.deepEqual([...x.data], [5, 6, 7]);
    assert.deepEqual([...y.data], [-100, 7, 8]);
  });
});
