import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

const SMALL = ['--n_layer', '1', '--n_head', '2', '--n_embd', '16', '--block_size', '8', '--batch_size', '4'];

function textFile(text: string): string {
  const path = join(tempDir(), 'text.txt');
  writeFileSync(path, text);
  return path;
}

describe('lmkit train', () => {
  it('trains, saves a checkpoint and ends --json runs with one summary line', async () => {
    const out = join(tempDir(), 'run');
    const data = textFile('abcabcabc abc\n'.repeat(40));
    const r = await runCli([
      'train',
      '--data',
      data,
      ...SMALL,
      '--max_iters',
      '6',
      '--eval_interval',
      '3',
      '--eval_iters',
      '2',
      '--out',
      out,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.steps, 6);
    for (const k of ['tokens_per_s', 'train_loss', 'val_loss', 'seconds'])
      assert.equal(typeof summary[k], 'number', k);
    assert.match(r.stderr, /step 3: train loss/);
    const g = await runCli(['generate', out, '--prompt', 'ab', '--max-tokens', '5', '--seed', '3', '--json']);
    assert.equal(g.code, 0, g.stderr);
    const sample = JSON.parse(g.stdout);
    assert.ok(sample.text.startsWith('ab'));
    assert.ok(sample.tokens <= 5);
  });

  it('--max-time stops a run on time with a final evaluation and a checkpoint that resumes', async () => {
    const out = join(tempDir(), 'run');
    const data = textFile('abcabcabc abc\n'.repeat(40));
    const args = ['train', '--data', data, ...SMALL, '--eval_interval', '1000000', '--eval_iters', '1'];
    const r = await runCli([...args, '--max_iters', '1000000', '--max-time', '0.5', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.stopped, 'time');
    assert.ok(summary.steps > 0 && summary.steps < 1000000, String(summary.steps));
    assert.ok(summary.seconds < 20, String(summary.seconds));
    // the stop evaluated (train and valid loss at the last step) and saved both the run and best/
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n');
    const evals = lines
      .map((l) => JSON.parse(l) as { type: string; step: number })
      .filter((l) => l.type === 'eval');
    assert.equal(evals.at(-1)?.step, summary.steps);
    assert.ok(existsSync(join(out, 'best', 'model.safetensors')));
    const more = await runCli(['train', '--resume', out, '--max_iters', String(summary.steps + 2), '--json']);
    assert.equal(more.code, 0, more.stderr);
    assert.equal(JSON.parse(more.stdout).steps, summary.steps + 2);
    assert.equal(JSON.parse(more.stdout).stopped, 'done');
  });

  it('takes settings from a config file, flags overriding it', async () => {
    const dir = tempDir();
    const config = join(dir, 'c.json');
    writeFileSync(
      config,
      JSON.stringify({ n_embd: 16, n_head: 4, max_iters: 1, eval_interval: 1, eval_iters: 1 }),
    );
    const r = await runCli([
      'train',
      '--data',
      textFile('hello there\n'.repeat(30)),
      '--config',
      config,
      '--n_head',
      '3',
      '--block_size',
      '8',
      '--out',
      join(dir, 'run'),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^lmkit: error: n_embd 16 is not divisible by n_head 3/);
    writeFileSync(config, JSON.stringify({ n_embed: 16 }));
    const bad = await runCli(['train', '--data', 'x', '--config', config, '--out', join(dir, 'run')]);
    assert.match(bad.stderr, /unknown setting\(s\) n_embed/);
  });

  it('reports a corpus smaller than one window in one line', async () => {
    const r = await runCli([
      'train',
      '--data',
      textFile('tiny\n'),
      ...SMALL,
      '--out',
      join(tempDir(), 'run'),
    ]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('lmkit: error')).length,
      1,
    );
    assert.match(r.stderr, /fewer than one window of block_size \+ 1 = 9/);
  });

  it('refuses to resume from a checkpoint of another model kind', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ lmkit_kind: 'whisper' }));
    for (const f of ['model.safetensors', 'train_state.safetensors', 'train_state.json'])
      writeFileSync(join(dir, f), '');
    const r = await runCli(['train', '--resume', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /holds a whisper model, not one lmkit trains \(gpt, nplm, rnn[^)]*\)/);
  });

  it('asks for --out and --data', async () => {
    assert.match((await runCli(['train', '--data', 'brown'])).stderr, /--out DIR is required/);
    assert.match((await runCli(['train', '--out', 'x'])).stderr, /--data NAME_OR_FILE is required/);
  });
});
