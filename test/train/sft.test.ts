import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { addChatTokens } from '../../src/chat/chat-tokens.js';
import { assistantLoss, scoreReplies } from '../../src/eval/instruct.js';
import { GPTModel } from '../../src/models/gpt.js';
import { growGPTVocabulary } from '../../src/models/gpt-vocab.js';
import { Rng } from '../../src/util/rng.js';
import { pretrain } from '../../src/train/pretrain.js';
import { readSFTFile } from '../../src/train/sft-data.js';
import { trainSFT } from '../../src/train/sft.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

const SMALL = { n_layer: 2, n_head: 2, n_embd: 32, block_size: 32, weight_decay: 0, eval_iters: 4 };
const WORDS = ['cat', 'dog', 'sun', 'red', 'box', 'hat', 'pen', 'cup', 'map', 'egg', 'owl', 'bee'];

/** A pretrained checkpoint and JSONL files of a copying task: "say X" → "X X". */
async function setup() {
  const dir = tempDir();
  const text = join(dir, 'text.txt');
  writeFileSync(
    text,
    Array.from({ length: 200 }, (_, i) => `say ${WORDS[i % 12]} ${WORDS[(i * 5) % 12]}`).join('\n'),
  );
  await pretrain({
    data: text,
    tokenizer: 'char',
    settings: [SMALL, { max_iters: 30, eval_interval: 30, learning_rate: 3e-3 }],
    out: join(dir, 'pre'),
  });
  const rng = new Rng(5);
  const conv = () => {
    const w = WORDS[rng.int(12)];
    return JSON.stringify({
      messages: [
        { role: 'user', content: `say ${w}` },
        { role: 'assistant', content: `${w} ${w}` },
      ],
    });
  };
  const train = join(dir, 'train.jsonl');
  const test = join(dir, 'test.jsonl');
  writeFileSync(train, Array.from({ length: 300 }, conv).join('\n'));
  writeFileSync(test, Array.from({ length: 40 }, conv).join('\n'));
  return { dir, pre: join(dir, 'pre'), train, test };
}

describe('supervised fine-tuning', () => {
  it('lowers the held-out assistant loss, learns to answer and end its turn, and resumes', async () => {
    const { dir, pre, train, test } = await setup();
    const base = GPTModel.load(pre);
    const { tokenizer, oldToNew } = addChatTokens(base.tokenizer);
    const held = readSFTFile(test);
    const before = assistantLoss(growGPTVocabulary(base, tokenizer, oldToNew), held);
    let note = '';
    const out = join(dir, 'sft');
    const summary = await trainSFT({
      init: pre,
      data: train,
      valid: test,
      settings: [
        { max_iters: 150, eval_interval: 75, learning_rate: 3e-3, batch_size: 16, warmup_iters: 10 },
      ],
      out,
      onStart: (i) => (note = i.note),
    });
    assert.match(
      note,
      /SFT on 300 conversations .* dropped as longer than block_size \+ 1 = 33 tokens: 0 training, 0 validation; added 4 chat tokens/,
    );
    const tuned = GPTModel.load(out);
    const after = assistantLoss(tuned, held);
    assert.equal(after.tokens, before.tokens);
    assert.ok(after.loss < before.loss * 0.5, `held-out assistant loss ${before.loss} → ${after.loss}`);
    const turns = scoreReplies(tuned, held.slice(0, 10), 12);
    const exact = turns.filter((t) => t.exact).length;
    assert.ok(exact >= 5, `${exact}/10 exact: ${turns.map((t) => JSON.stringify(t.reply)).join(' ')}`);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as {
      training: Record<string, unknown>;
    };
    assert.equal(config.training.objective, 'sft');
    assert.equal(config.training.init, pre);
    assert.equal(summary.steps, 150);
    // resume continues the SFT run from its step, on its own data
    const more = await trainSFT({ resume: out, settings: [{ max_iters: 160 }], out });
    assert.equal(more.steps, 160);
  });

  it('fine-tunes a checkpoint with rotary embeddings and RMSNorm, keeping them', async () => {
    const { dir, train } = await setup();
    const text = join(dir, 'text.txt');
    const pre = join(dir, 'pre-rope');
    await pretrain({
      data: text,
      tokenizer: 'char',
      settings: [SMALL, { max_iters: 3, eval_interval: 3, rope: true, norm: 'rmsnorm' }],
      out: pre,
    });
    const out = join(dir, 'sft-rope');
    await trainSFT({ init: pre, data: train, settings: [{ max_iters: 3, eval_interval: 3 }], out });
    const tuned = GPTModel.load(out);
    assert.equal(tuned.config.rope, true);
    assert.equal(tuned.config.norm, 'rmsnorm');
    await assert.rejects(
      trainSFT({ init: pre, data: train, settings: [{ rope: false }], out: join(dir, 'x') }),
      /rope is true there, not false/,
    );
  });

  it('CLI: --objective sft needs --init; bad lines and architecture changes are refused by name', async () => {
    const { dir, pre, train } = await setup();
    let r = await runCli(['train', '--objective', 'sft', '--data', train, '--out', join(dir, 'a')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /give --init CHECKPOINT_DIR/);
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(
      bad,
      `${readFileSync(train, 'utf8').split('\n')[0]}\n{"messages":[{"role":"robot","content":"x"}]}\n`,
    );
    r = await runCli(['train', '--objective', 'sft', '--init', pre, '--data', bad, '--out', join(dir, 'b')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.jsonl line 2: messages\[0\] has unknown role "robot"/);
    r = await runCli([
      'train',
      '--objective',
      'sft',
      '--init',
      pre,
      '--data',
      train,
      '--n_layer',
      '3',
      '--out',
      join(dir, 'c'),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /SFT keeps the architecture .* n_layer is 2 there, not 3/);
    r = await runCli([
      'train',
      '--objective',
      'sft',
      '--init',
      pre,
      '--data',
      train,
      '--block_size',
      '32',
      '--max_iters',
      '2',
      '--eval_interval',
      '2',
      '--out',
      join(dir, 'd'),
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /SFT on 270 conversations .* validating on 30 \(every 10th example\)/);
    assert.ok(existsSync(join(dir, 'd', 'best', 'tokenizer.json')));
    r = await runCli(['train', '--init', pre, '--data', train, '--out', join(dir, 'e')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--init is for --objective sft/);
    r = await runCli([
      'train',
      '--objective',
      'sft',
      '--init',
      pre,
      '--data',
      train,
      '--tokenizer',
      'gpt2',
      '--out',
      join(dir, 'f'),
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--tokenizer does not apply to SFT/);
  });
});
