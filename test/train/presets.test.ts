import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GPTModel } from '../../src/models/gpt.js';
import { resolveTrainConfig } from '../../src/train/config.js';
import { PRESETS } from '../../src/train/presets.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

describe('GPT size presets', () => {
  it('gpt2-small has GPT-2 small’s shape and 124M parameters with GPT-2’s vocabulary', () => {
    const c = resolveTrainConfig({ preset: 'gpt2-small' });
    assert.deepEqual([c.n_layer, c.n_head, c.n_embd, c.block_size], [12, 12, 768, 1024]);
    assert.equal(c.lr_decay_iters, c.max_iters);
    // parameters counted from the shapes (tied head): 124,439,808 as GPT-2's paper/HF report
    const V = 50257;
    const C = c.n_embd;
    const perBlock = 2 * 2 * C + (3 * C * C + 3 * C) + (C * C + C) + (4 * C * C + 4 * C) + (4 * C * C + C);
    assert.equal(V * C + c.block_size * C + c.n_layer * perBlock + 2 * C, 124_439_808);
  });

  it('every preset builds a valid model; the small ones are built for real', () => {
    const tok = CharTokenizer.train(['abc\n']);
    for (const [name, p] of Object.entries(PRESETS)) {
      const c = resolveTrainConfig({ preset: name });
      assert.ok(p.summary.length > 10);
      if (c.n_embd <= 128) {
        const m = new GPTModel({ ...c, vocab_size: tok.vocabSize }, tok);
        assert.equal(m.config.rope, c.rope ?? false, name);
      }
    }
  });

  it('lets a config file and flags override a preset, and names an unknown one', () => {
    const c = resolveTrainConfig({ preset: 'char-rope', n_layer: 2 }, { max_iters: 10 });
    assert.deepEqual(
      [c.n_layer, c.n_embd, c.rope, c.norm, c.bias, c.max_iters],
      [2, 128, true, 'rmsnorm', false, 10],
    );
    assert.throws(() => resolveTrainConfig({ preset: 'gpt5' }), /unknown preset "gpt5"/);
  });

  it('trains a rope/rmsnorm GPT from the command line (preset in a config file) and generates from it', async () => {
    const dir = tempDir();
    const data = join(dir, 'text.txt');
    writeFileSync(data, 'the cat sat on the mat\n'.repeat(30));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ preset: 'tiny', n_embd: 16 }));
    const out = join(dir, 'run');
    const r = await runCli([
      'train',
      '--data',
      data,
      '--config',
      config,
      '--rope',
      '--norm',
      'rmsnorm',
      '--max_iters',
      '4',
      '--eval_interval',
      '2',
      '--eval_iters',
      '1',
      '--block_size',
      '16',
      '--out',
      out,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const saved = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    assert.deepEqual([saved.n_layer, saved.n_embd, saved.rope, saved.norm], [2, 16, true, 'rmsnorm']);
    const g = await runCli(['generate', out, '--prompt', 'the', '--max-tokens', '5', '--seed', '1']);
    assert.equal(g.code, 0, g.stderr);
    assert.ok(g.stdout.startsWith('the'));
    const bad = await runCli(['train', '--data', data, '--preset', 'huge', '--out', join(dir, 'x')]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /huge/);
  });
});
