import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readSafetensors } from '../../src/nn/safetensors.js';
import { GPTModel } from '../../src/models/gpt.js';
import { loadLanguageModel } from '../../src/models/load.js';
import { RewardModel } from '../../src/models/reward.js';
import { noGrad } from '../../src/tensor/tensor.js';
import { trainDPO } from '../../src/train/dpo.js';
import { encodePreferences, readPreferenceFile } from '../../src/train/preference-data.js';
import { responseLogProbs } from '../../src/train/preference-losses.js';
import { rewardInput } from '../../src/train/reward-score.js';
import { trainReward } from '../../src/train/reward.js';
import { runCli } from '../helpers/cli.js';

import { setupPreferenceTask as setup } from '../helpers/preference-task.js';

describe('reward model', () => {
  it('learns held-out rankings, stores HF names and an offset that centres the SFT demonstrations, and resumes', async () => {
    const { dir, sft, sftFile, prefs } = await setup();
    const out = join(dir, 'rm');
    const accuracies: number[] = [];
    let note = '';
    const summary = await trainReward({
      init: sft,
      data: prefs,
      settings: [{ max_iters: 80, eval_interval: 40, learning_rate: 2e-3, batch_size: 8, warmup_iters: 5 }],
      out,
      onStart: (i) => (note = i.note),
      onEval: (r) => accuracies.push(r.metrics!.valid_accuracy),
    });
    assert.match(
      note,
      /reward model on 216 rankings \(288 pairs\), validating on 24 \(32 pairs\) \(every 10th ranking\)/,
    );
    assert.ok(accuracies[0] < 0.8, `before training: ${accuracies[0]}`);
    assert.ok(summary.validAccuracy >= 0.9, `held-out accuracy ${accuracies.join(' → ')}`);
    const evals = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number | string>)
      .filter((r) => r.type === 'eval');
    assert.deepEqual(
      evals.map((r) => r.step),
      [0, 40, 80],
    );
    assert.equal(evals[2].valid_accuracy, summary.validAccuracy);
    assert.equal(evals[2].valid_loss, summary.valLoss);

    const config = JSON.parse(readFileSync(join(out, 'best', 'config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    assert.equal(config.lmkit_kind, 'reward');
    assert.deepEqual(config.architectures, ['GPT2ForSequenceClassification']);
    assert.equal(config.num_labels, 1);
    assert.deepEqual(config.reward_offset_from, { data: sftFile, demonstrations: 200 });
    const tensors = readSafetensors(join(out, 'best', 'model.safetensors')).tensors;
    assert.deepEqual(tensors.get('score.weight')!.shape, [1, 32]);
    assert.deepEqual(tensors.get('transformer.h.0.attn.c_attn.weight')!.shape, [32, 96]); // Conv1D (in, out)

    // the SFT demonstrations' mean reward is 0 after the offset
    const rm = RewardModel.load(join(out, 'best'));
    assert.equal(rm.offset, summary.offset);
    const demos = readFileSync(sftFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { prompt: string; completion: string });
    const r = rm.score(
      demos.map((d) => rewardInput(rm, [{ role: 'user', content: d.prompt }], d.completion)),
    );
    const mean = r.reduce((s, x) => s + x, 0) / r.length;
    assert.ok(Math.abs(mean) < 1e-4, `mean demonstration reward ${mean}`);

    const more = await trainReward({ resume: out, settings: [{ max_iters: 90 }], out });
    assert.equal(more.steps, 90);
    await assert.rejects(
      trainReward({ resume: sft, settings: [], out: join(dir, 'x') }),
      /is not a reward-model run/,
    );
  });

  it('CLI: trains with --json, scores with lmkit reward, and refuses bad input by name', async () => {
    const { dir, sft, prefs } = await setup();
    const out = join(dir, 'rm');
    let r = await runCli([
      'train',
      '--objective',
      'reward',
      '--init',
      sft,
      '--data',
      prefs,
      '--max_iters',
      '60',
      '--eval_interval',
      '60',
      '--learning_rate',
      '2e-3',
      '--out',
      out,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as Record<string, number>;
    assert.ok(summary.valid_accuracy >= 0.85, r.stdout);
    assert.equal(typeof summary.valid_loss, 'number');
    assert.equal(typeof summary.reward_offset, 'number');

    r = await runCli(['reward', join(out, 'best'), '--prompt', 'say cat', '--response', 'cat cat', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const good = (JSON.parse(r.stdout) as { reward: number }).reward;
    r = await runCli(['reward', join(out, 'best'), '--prompt', 'say cat', '--response', 'cat zzz']);
    assert.ok(good > Number(r.stdout), `${good} vs ${r.stdout}`);
    r = await runCli(
      ['reward', join(out, 'best')],
      `${JSON.stringify({ prompt: 'say owl', response: 'owl owl' })}\n${JSON.stringify({ prompt: [{ role: 'user', content: 'say owl' }], response: 'owl qqq' })}\n`,
    );
    const [a, b] = r.stdout.trim().split('\n').map(Number);
    assert.ok(a > b, r.stdout);

    r = await runCli(['reward', join(out, 'best'), '--prompt', 'say cat']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /give --prompt and --response together/);
    r = await runCli(['reward', sft, '--prompt', 'a', '--response', 'b']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /holds a model of kind "gpt", not a reward model/);
    r = await runCli(['reward', join(out, 'best')], '{"prompt": "say cat"}\n');
    assert.match(r.stderr, /stdin line 1: expected a "response" string/);
    r = await runCli(['reward', join(out, 'best'), '--prompt', 'x'.repeat(40), '--response', 'y']);
    assert.match(r.stderr, /--prompt: the prompt is \d+ tokens, leaving no room/);

    const bad = join(dir, 'bad.jsonl');
    writeFileSync(
      bad,
      `${readFileSync(prefs, 'utf8').split('\n')[0]}\n{"prompt":"p","responses":["a","b"],"ranking":[0,0]}\n`,
    );
    r = await runCli([
      'train',
      '--objective',
      'reward',
      '--init',
      sft,
      '--data',
      bad,
      '--out',
      join(dir, 'b'),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.jsonl line 2: "ranking" lists response 0 twice/);
    r = await runCli(['train', '--objective', 'reward', '--data', prefs, '--out', join(dir, 'c')]);
    assert.match(r.stderr, /give --init DIR/);
    r = await runCli([
      'train',
      '--objective',
      'dpo',
      '--init',
      sft,
      '--data',
      prefs,
      '--demos',
      prefs,
      '--out',
      join(dir, 'd'),
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--demos is for --objective reward/);
  });
});

describe('DPO', () => {
  it('raises the implicit reward of preferred responses on held-out pairs, keeps the reference frozen, and saves a servable GPT', async () => {
    const { dir, sft, prefs } = await setup();
    const out = join(dir, 'dpo');
    const summary = await trainDPO({
      init: sft,
      data: prefs,
      settings: [{ max_iters: 60, eval_interval: 30, learning_rate: 2e-3, batch_size: 8, warmup_iters: 5 }],
      out,
    });
    assert.ok(summary.metrics.valid_accuracy >= 0.9, JSON.stringify(summary.metrics));
    assert.ok(summary.metrics.rewards_margins > 0);
    assert.ok(summary.metrics.rewards_chosen > summary.metrics.rewards_rejected);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as {
      training: Record<string, unknown>;
    };
    assert.equal(config.training.objective, 'dpo');
    assert.equal(config.training.beta, 0.1);
    // the policy moved toward the preferred responses; the reference on disk did not change
    const policy = GPTModel.load(out);
    const reference = GPTModel.load(sft);
    assert.equal(loadLanguageModel(out).kind, 'gpt');
    const held = encodePreferences(
      policy.tokenizer,
      policy.prefix,
      readPreferenceFile(prefs).slice(-24),
      33,
      'p',
    );
    let moved = 0;
    let pairs = 0;
    for (const e of held.examples) {
      const p = noGrad(() => responseLogProbs(policy.net, e.responses).data);
      const r = noGrad(() => responseLogProbs(reference.net, e.responses).data);
      for (const [w, l] of e.pairs) {
        pairs++;
        if (p[w] - p[l] > r[w] - r[l]) moved++;
      }
    }
    assert.ok(moved >= 0.9 * pairs, `${moved}/${pairs}`);
    const more = await trainDPO({ resume: out, settings: [{ max_iters: 65 }], out });
    assert.equal(more.steps, 65);
  });
});
