import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GPTModel } from '../../src/models/gpt.js';
import { IntTensor, noGrad } from '../../src/tensor/tensor.js';
import { trainPPO, VALUE_FILE } from '../../src/train/ppo.js';
import { trainReward } from '../../src/train/reward.js';
import { adaptiveKL, gae, klEstimate, tokenRewards, whiten } from '../../src/train/rl-advantages.js';
import { sampleRollouts } from '../../src/train/rollout.js';
import { Rng } from '../../src/util/rng.js';
import { runCli } from '../helpers/cli.js';
import { setupPreferenceTask } from '../helpers/preference-task.js';

const near = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

describe('PPO arithmetic', () => {
  it('GAE follows its recursion from the last token, and with γ = λ = 1 gives rewards-to-go as returns', () => {
    const { advantages, returns } = gae([0, 0, 1], [0.5, 0.2, 0.4], 1, 0.95);
    // δ2 = 1 − 0.4; δ1 = 0 + 0.4 − 0.2; δ0 = 0 + 0.2 − 0.5; A_t = δ_t + 0.95 A_{t+1}
    near(advantages[2], 0.6, 'A2');
    near(advantages[1], 0.2 + 0.95 * 0.6, 'A1');
    near(advantages[0], -0.3 + 0.95 * (0.2 + 0.95 * 0.6), 'A0');
    near(returns[0], advantages[0] + 0.5, 'R0');
    const mc = gae([0.1, -0.2, 1], [3, 2, 1], 1, 1);
    assert.deepEqual(
      Array.from(mc.returns).map((x) => Number(x.toFixed(12))),
      [0.9, 0.8, 1],
    );
  });

  it('charges β·KL per token and adds the score at the last one; k1 is log π/π_ref, k3 is non-negative', () => {
    near(klEstimate(-1, -1.5, 'k1'), 0.5, 'k1');
    near(klEstimate(-1, -1, 'k3'), 0, 'k3 at equality');
    assert.ok(klEstimate(-1, -0.5, 'k3') > 0 && klEstimate(-1, -1.5, 'k3') > 0);
    const { rewards, kl } = tokenRewards([-1, -2], [-1.5, -1], 3, 0.1, 'k1');
    near(kl, 0.5 - 1, 'summed kl');
    near(rewards[0], -0.05, 'r0');
    near(rewards[1], 0.1 + 3, 'r1');
  });

  it('whitens over every token of the batch, and the adaptive β moves toward the target by at most 20% of n/horizon', () => {
    const xs = [Float64Array.from([1, 2, 3]), Float64Array.from([4, 10])];
    whiten(xs);
    const all = xs.flatMap((a) => Array.from(a));
    const mean = all.reduce((s, x) => s + x, 0) / all.length;
    const variance = all.reduce((s, x) => s + (x - mean) ** 2, 0) / (all.length - 1);
    assert.ok(Math.abs(mean) < 1e-12 && Math.abs(variance - 1) < 1e-6);
    near(adaptiveKL(0.1, 12, 6, 100, 10000), 0.1 * (1 + (0.2 * 100) / 10000), 'far above target');
    near(adaptiveKL(0.1, 5.4, 6, 100, 10000), 0.1 * (1 - (0.1 * 100) / 10000), 'below target');
  });
});

describe('PPO', () => {
  it('rollouts: one response per prompt from the batched decoder, ending at the end of the turn or the limit', async () => {
    const { sft } = await setupPreferenceTask();
    const policy = GPTModel.load(sft);
    const end = policy.tokenizer.tokenToId('<|end|>')!;
    const prompt = [
      policy.tokenizer.tokenToId('<|user|>')!,
      ...policy.tokenizer.encode('say cat'),
      end,
      policy.tokenizer.tokenToId('<|assistant|>')!,
    ];
    const rollouts = sampleRollouts(policy, [prompt, prompt, prompt], {
      maxTokens: 6,
      stopTokens: [end],
      suppressTokens: [],
      rngs: [new Rng(1), new Rng(2), new Rng(3)],
    });
    for (const r of rollouts) {
      assert.deepEqual(r.prompt, [...policy.prefix, ...prompt]);
      assert.ok(r.response.length >= 1 && r.response.length <= 6);
      assert.equal(r.ended, r.response[r.response.length - 1] === end);
      assert.ok(r.ended || r.response.length === 6);
    }
  });

  it('raises the reward-model score of held-out responses, logs the per-step metrics, keeps a value model and resumes', async () => {
    const { dir, sft, prefs, prompts } = await setupPreferenceTask();
    const rm = join(dir, 'rm');
    const fitted = await trainReward({
      init: sft,
      data: prefs,
      settings: [{ max_iters: 150, eval_interval: 150, learning_rate: 2e-3, batch_size: 8, warmup_iters: 5 }],
      out: rm,
    });
    assert.ok(fitted.validAccuracy >= 0.9, `reward model accuracy ${fitted.validAccuracy}`);
    const out = join(dir, 'ppo');
    const evals: Record<string, number>[] = [];
    const summary = await trainPPO({
      init: sft,
      reward: join(rm, 'best'),
      data: prompts,
      settings: [
        {
          max_iters: 30,
          eval_interval: 10,
          eval_iters: 2,
          batch_size: 16,
          learning_rate: 3e-4,
          min_lr: 3e-4,
          response_length: 8,
        },
      ],
      out,
      onEval: (_, m) => evals.push(m),
    });
    assert.equal(summary.steps, 30);
    assert.ok(
      evals[3].valid_reward > evals[0].valid_reward + 0.2,
      `held-out reward ${evals.map((e) => e.valid_reward.toFixed(3)).join(' → ')}`,
    );
    assert.ok(evals[3].valid_kl > 0, 'the policy moved away from the reference');
    const records = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const step = records.find((r) => r.type === 'train')!;
    for (const key of [
      'step',
      'reward',
      'kl',
      'entropy',
      'clipfrac',
      'value_loss',
      'approx_kl',
      'response_length',
      'rollout_tokens_per_s',
      'gold',
    ])
      assert.equal(typeof step[key], 'number', key);
    assert.ok(existsSync(join(out, VALUE_FILE)) && existsSync(join(out, 'best', 'config.json')));
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as {
      training: Record<string, unknown>;
    };
    assert.equal(config.training.objective, 'ppo');
    assert.equal(config.training.reward, join(rm, 'best'));
    const more = await trainPPO({ resume: out, settings: [{ max_iters: 32 }], out });
    assert.equal(more.steps, 32);
    await assert.rejects(trainPPO({ resume: rm, settings: [], out: join(dir, 'x') }), /is not a PPO run/);
  });

  it("PPO-ptx: the pretraining term keeps the policy's next-token loss on the pretraining text low", async () => {
    const { dir, sft, prompts } = await setupPreferenceTask();
    const text = join(dir, 'text.txt'); // what the policy was pretrained on
    const lossOn = (checkpoint: string) => {
      const m = GPTModel.load(checkpoint);
      m.net.eval();
      const tokens = m.tokenizer.encode(readFileSync(text, 'utf8').slice(0, 2000));
      const T = 32;
      let sum = 0;
      let n = 0;
      for (let s = 0; s + T + 1 <= tokens.length; s += T, n++) {
        const x = new IntTensor(Int32Array.from(tokens.slice(s, s + T)), [1, T]);
        const y = new IntTensor(Int32Array.from(tokens.slice(s + 1, s + T + 1)), [1, T]);
        sum += noGrad(() => m.net.loss(x, y).item());
      }
      return sum / n;
    };
    const settings = {
      max_iters: 6,
      eval_interval: 6,
      eval_iters: 1,
      batch_size: 8,
      learning_rate: 1e-3,
      min_lr: 1e-3,
      response_length: 6,
    };
    const run = (out: string, ptxData?: string) =>
      trainPPO({
        init: sft,
        rewardJudge: 'correctness',
        data: prompts,
        ptxData,
        settings: [settings, ptxData ? { ptx_coef: 5 } : {}],
        out,
      });
    const plain = await run(join(dir, 'plain'));
    const ptx = await run(join(dir, 'ptx'), text);
    assert.equal(plain.metrics.ptx_loss, undefined);
    assert.equal(typeof ptx.metrics.ptx_loss, 'number');
    const [before, afterPlain, afterPtx] = [sft, join(dir, 'plain'), join(dir, 'ptx')].map(lossOn);
    assert.ok(afterPtx < afterPlain, `ptx ${afterPtx} vs plain ${afterPlain} (SFT ${before})`);
    assert.ok(afterPtx < before, `ptx ${afterPtx} vs SFT ${before}`);
    const config = JSON.parse(readFileSync(join(dir, 'ptx', 'config.json'), 'utf8')) as {
      training: Record<string, unknown>;
    };
    assert.equal(config.training.ptx_data, text);
    assert.equal(config.training.ptx_coef, 5);
    await assert.rejects(
      trainPPO({
        init: sft,
        rewardJudge: 'correctness',
        data: prompts,
        ptxData: text,
        settings: [settings, { ptx_coef: 0 }],
        out: join(dir, 'z'),
      }),
      /ptx_coef must be above 0/,
    );
  });

  it('takes a judge as the reward, refuses a reward model of another tokenizer, and needs exactly one reward', async () => {
    const { dir, sft, prefs, prompts } = await setupPreferenceTask();
    const out = join(dir, 'ppo');
    const summary = await trainPPO({
      init: sft,
      rewardJudge: 'correctness',
      data: prompts,
      settings: [{ max_iters: 2, eval_interval: 2, eval_iters: 1, batch_size: 4, response_length: 6 }],
      out,
    });
    assert.equal(summary.metrics.reward, summary.metrics.gold); // the judge is both the reward and the gold
    const rm = join(dir, 'rm');
    await trainReward({ init: sft, data: prefs, settings: [{ max_iters: 2, eval_interval: 2 }], out: rm });

    let r = await runCli([
      'train',
      '--objective',
      'ppo',
      '--init',
      sft,
      '--data',
      prompts,
      '--out',
      join(dir, 'a'),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /PPO needs a reward: give --reward RM_DIR/);
    r = await runCli([
      'train',
      '--objective',
      'ppo',
      '--init',
      sft,
      '--reward',
      join(rm, 'best'),
      '--reward-judge',
      'correctness',
      '--data',
      prompts,
      '--out',
      join(dir, 'b'),
    ]);
    assert.match(r.stderr, /not both/);
    r = await runCli([
      'train',
      '--objective',
      'ppo',
      '--init',
      join(dir, 'pre'),
      '--reward',
      join(rm, 'best'),
      '--data',
      prompts,
      '--out',
      join(dir, 'c'),
    ]);
    assert.match(r.stderr, /has another tokenizer than the policy/);
    r = await runCli([
      'train',
      '--objective',
      'sft',
      '--init',
      sft,
      '--reward',
      rm,
      '--data',
      prompts,
      '--out',
      join(dir, 'd'),
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--reward is for --objective ppo/);
    const long = join(dir, 'long.jsonl');
    writeFileSync(long, `{"prompt": "say cat"}\n{"prompt": "${'say cat '.repeat(6)}"}\n`);
    r = await runCli([
      'train',
      '--objective',
      'ppo',
      '--init',
      sft,
      '--reward-judge',
      'correctness',
      '--data',
      long,
      '--valid',
      long,
      '--out',
      join(dir, 'e'),
    ]);
    assert.match(r.stderr, /long\.jsonl line 2: the prompt is \d+ tokens, leaving no room/);
    const noReference = join(dir, 'noref.jsonl');
    writeFileSync(noReference, '{"prompt": "say cat"}\n{"prompt": "say dog"}\n');
    r = await runCli([
      'train',
      '--objective',
      'ppo',
      '--init',
      sft,
      '--reward-judge',
      'correctness',
      '--data',
      noReference,
      '--valid',
      noReference,
      '--max_iters',
      '1',
      '--out',
      join(dir, 'f'),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the correctness judge needs a "reference" answer/);
  });
});
