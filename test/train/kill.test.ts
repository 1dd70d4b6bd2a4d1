import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GPTModel } from '../../src/models/gpt.js';
import { loadLanguageModel } from '../../src/models/load.js';
import { AdamW } from '../../src/nn/optim.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { readTrainingCheckpoint } from '../../src/train/checkpoint.js';
import { ROOT, tempDir } from '../helpers/paths.js';

/** Kills of a training run at random moments; the issue asks for at least 20. */
const KILLS = Number(process.env.LMKIT_KILLS ?? 20);
const LMKIT = join(ROOT, 'bin/lmkit.js');
/** A model small enough that every step (and its checkpoint, written every step) takes a few ms. */
const TRAIN = [
  '--n_layer',
  '1',
  '--n_head',
  '2',
  '--n_embd',
  '16',
  '--block_size',
  '16',
  '--batch_size',
  '4',
];
const STEP_FLAGS = ['--warmup_iters', '1', '--eval_interval', '1', '--eval_iters', '1'];

/** A seeded generator of delays (mulberry32), so a failing schedule of kills can be replayed. */
function delays(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Starts `lmkit train ARGS`, waits until it has logged a step, then `delay` ms more, and kills it with SIGKILL. */
async function trainAndKill(args: string[], delay: number): Promise<string> {
  const child = spawn(process.execPath, [LMKIT, 'train', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (c: Buffer) => {
      log += c.toString();
      if (/step \d+:/.test(log)) resolve();
    });
    child.on('exit', () => reject(new Error(`lmkit train ended before a step: ${log}`)));
  });
  await new Promise((resolve) => setTimeout(resolve, delay));
  child.kill('SIGKILL');
  await exited;
  return log;
}

describe('training checkpoints survive kill -9', () => {
  it('resumes from the checkpoint saved at step 0, before the optimizer has moments', () => {
    const tokenizer = CharTokenizer.train(['the jury said']);
    const model = new GPTModel(
      {
        n_layer: 1,
        n_head: 2,
        n_embd: 8,
        block_size: 8,
        vocab_size: tokenizer.vocabSize,
        dropout: 0,
        bias: true,
      },
      tokenizer,
      1,
    );
    const saved = new AdamW(model.net.namedParameters(), { lr: 1e-3 }).stateBuffers();
    assert.equal(saved.size, 0, 'a step-0 checkpoint holds no moments');
    const resumed = new AdamW(model.net.namedParameters(), { lr: 1e-3 });
    resumed.loadState(saved, 0);
    assert.throws(() => resumed.loadState(saved, 3), /optimizer state has no/);
  });

  it(`loads and resumes with its saved step and optimizer state after ${KILLS} kills at random moments`, async () => {
    const dir = tempDir('lmkit-kill-');
    const data = join(dir, 'text.txt');
    const words = 'the jury said that city was good bad a man dog ran home'.split(' ');
    const next = delays(16);
    writeFileSync(
      data,
      Array.from({ length: 300 }, () =>
        Array.from({ length: 8 }, () => words[Math.floor(next() * words.length)]).join(' '),
      ).join('\n'),
    );
    const run = join(dir, 'run');
    let lastStep = -1;
    for (let kill = 0; kill < KILLS; kill++) {
      const args = kill === 0 ? ['--data', data, '--out', run, ...TRAIN] : ['--resume', run];
      const log = await trainAndKill(
        [...args, '--max_iters', '100000', ...STEP_FLAGS],
        Math.floor(next() * 400),
      );
      if (kill > 0) {
        // the resumed run went on from the step it saved, not from 0
        const first = Number(/step (\d+):/.exec(log)?.[1]);
        assert.ok(
          first >= lastStep,
          `kill ${kill}: resumed at step ${first}, the checkpoint said ${lastStep}`,
        );
      }
      if (!existsSync(join(run, 'config.json'))) {
        assert.equal(kill, 0, 'a checkpoint once written never disappears');
        continue;
      }
      // what `lmkit generate` does: load the folder as it is and take a step
      const model = loadLanguageModel(run);
      model.start(model.tokenizer.encode('the ')).logProbs();
      // what --resume does: every file from one step, optimizer moments included
      const saved = readTrainingCheckpoint(run);
      assert.ok(
        saved.state.step >= lastStep,
        `kill ${kill}: step went back from ${lastStep} to ${saved.state.step}`,
      );
      if (saved.state.step > 0) assert.ok(saved.moments.size > 0, 'optimizer moments are saved');
      lastStep = saved.state.step;
      assert.deepEqual(
        readdirSync(run).filter((f) => f.startsWith('.saving-')),
        [],
        'no staging folder is left once read',
      );
    }
    assert.ok(lastStep > 0, 'the runs made progress between kills');
    // a last resume runs to its end: two more steps from the saved one, with the saved optimizer state
    const done = spawnSync(
      process.execPath,
      [LMKIT, 'train', '--resume', run, '--max_iters', String(lastStep + 2)],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(done.status, 0, done.stderr);
    assert.match(done.stderr, new RegExp(`step ${lastStep + 1}:`));
    assert.equal(readTrainingCheckpoint(run).state.step, lastStep + 2);
    const generated = spawnSync(
      process.execPath,
      [LMKIT, 'generate', run, '--max-tokens', '5', '--seed', '1'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(generated.status, 0, generated.stderr);
  });
});
