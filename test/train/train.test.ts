import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GPTModel } from '../../src/models/gpt.js';
import { Rng } from '../../src/util/rng.js';
import { checkStream, randomBatch, splitStream } from '../../src/train/batches.js';
import { resolveTrainConfig, type TrainConfig } from '../../src/train/config.js';
import { pretrain } from '../../src/train/pretrain.js';
import { tempDir } from '../helpers/paths.js';

const TINY: Partial<TrainConfig> = {
  n_layer: 2,
  n_head: 2,
  n_embd: 32,
  block_size: 16,
  batch_size: 8,
  learning_rate: 1e-2,
  min_lr: 1e-3,
  warmup_iters: 5,
  eval_iters: 4,
  weight_decay: 0,
};

function corpus(): string {
  const dir = tempDir();
  const path = join(dir, 'text.txt');
  const lines = Array.from({ length: 120 }, (_, i) => `the cat sat on the mat ${i % 5}`);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

function trainLosses(dir: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n')) {
    const r = JSON.parse(line);
    if (r.type !== 'train') continue;
    assert.ok(!out.has(r.step), `step ${r.step} logged twice`);
    out.set(r.step, r.loss);
  }
  return out;
}

describe('batches', () => {
  it('makes targets the inputs shifted by one token', () => {
    const tokens = Int32Array.from({ length: 50 }, (_, i) => i);
    const { x, y } = randomBatch(tokens, 3, 8, new Rng(1));
    assert.deepEqual(x.shape, [3, 8]);
    for (let i = 0; i < x.size; i++) assert.equal(y.data[i], x.data[i] + 1);
    assert.ok(Math.max(...y.data) <= 49);
  });

  it('splits 90/10 and refuses a stream shorter than one window', () => {
    const { train, valid } = splitStream(new Int32Array(100));
    assert.equal(train.length, 90);
    assert.equal(valid.length, 10);
    assert.throws(
      () => checkStream(valid, 16, 'validation'),
      /validation text has 10 tokens, fewer than one window of block_size \+ 1 = 17/,
    );
  });
});

describe('training config', () => {
  it('lets later layers override earlier ones; lr_decay_iters follows max_iters', () => {
    const c = resolveTrainConfig({ max_iters: 300, n_layer: 6 }, { n_layer: 2, dropout: undefined });
    assert.equal(c.n_layer, 2);
    assert.equal(c.lr_decay_iters, 300);
    assert.equal(c.dropout, 0);
  });

  it('names impossible settings', () => {
    assert.throws(
      () => resolveTrainConfig({ n_embd: 100, n_head: 3 }),
      /n_embd 100 is not divisible by n_head 3/,
    );
    assert.throws(() => resolveTrainConfig({ beta2: 1 }), /beta2 must be in \[0, 1\)/);
    assert.throws(() => resolveTrainConfig({ batch_size: 0 }), /batch_size must be a whole number ≥ 1/);
  });
});

describe('pretrain', () => {
  it('lowers the validation loss of a tiny GPT clearly within 50 steps, saving the best model', async () => {
    const out = tempDir();
    const summary = await pretrain({
      data: corpus(),
      settings: [{ ...TINY, max_iters: 50, eval_interval: 25 }],
      out,
    });
    const evals = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((r) => r.type === 'eval');
    assert.deepEqual(
      evals.map((r) => r.step),
      [0, 25, 50],
    );
    assert.equal(summary.steps, 50);
    assert.ok(
      summary.valLoss < evals[0].val_loss - 1.5,
      `val loss ${evals[0].val_loss} → ${summary.valLoss}`,
    );
    assert.ok(summary.tokensPerSecond > 0);
    const best = GPTModel.load(join(out, 'best'));
    assert.equal(best.config.n_embd, 32);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    assert.equal(config.training.learning_rate, 1e-2, 'the resolved settings are saved');
  });

  for (const dropout of [0, 0.2])
    it(`resumes an interrupted run exactly (dropout ${dropout}): the same losses as a run never stopped`, async () => {
      const data = corpus();
      const settings = [{ ...TINY, max_iters: 20, eval_interval: 5, dropout }];
      const straight = tempDir();
      await pretrain({ data, settings: [{ ...TINY, max_iters: 3 }], out: straight });
      await pretrain({ data, settings, out: straight }); // a fresh run in the same folder: a fresh log
      const cut = tempDir();
      const controller = new AbortController();
      const first = await pretrain({
        data,
        settings,
        out: cut,
        signal: controller.signal,
        onStep: (step) => {
          if (step === 7) controller.abort();
        },
      });
      assert.equal(first.stopped, 'interrupted');
      assert.equal(first.steps, 7);
      // steps logged after the checkpoint by a run killed outright are dropped on resume
      appendFileSync(join(cut, 'metrics.jsonl'), JSON.stringify({ type: 'train', step: 8, loss: 0 }) + '\n');
      const second = await pretrain({ settings: [], out: cut, resume: cut });
      assert.equal(second.steps, 20);
      assert.deepEqual(trainLosses(cut), trainLosses(straight));
    });

  it('validates on a separate file when given one', async () => {
    const dir = tempDir();
    const valid = join(dir, 'valid.txt');
    writeFileSync(valid, 'the mat sat on the cat\n'.repeat(3));
    let validTokens = 0;
    await pretrain({
      data: corpus(),
      valid,
      settings: [{ ...TINY, max_iters: 1, eval_interval: 1 }],
      out: join(dir, 'run'),
      onStart: (info) => (validTokens = info.validTokens),
    });
    assert.equal(validTokens, 'the mat sat on the cat\n'.repeat(3).length); // as written: the last line break too
  });

  it('refuses to resume with a changed architecture or from a folder that is not a run', async () => {
    const out = tempDir();
    await pretrain({ data: corpus(), settings: [{ ...TINY, max_iters: 2, eval_interval: 2 }], out });
    await assert.rejects(
      pretrain({ settings: [{ n_embd: 64 }], out, resume: out }),
      /changed architecture: n_embd is 32 in .*, 64 now/,
    );
    await assert.rejects(pretrain({ settings: [], out, resume: tempDir() }), /has no config\.json/);
  });

  it('stops early when the validation loss stops improving', async () => {
    const summary = await pretrain({
      data: corpus(),
      settings: [{ ...TINY, learning_rate: 0, min_lr: 0, max_iters: 40, eval_interval: 2, patience: 2 }],
      out: tempDir(),
    });
    assert.equal(summary.stopped, 'early');
    assert.equal(summary.steps, 4);
  });
});
