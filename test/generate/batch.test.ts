import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { generateBatch } from '../../src/generate/batch.js';
import { streamText } from '../../src/generate/stream.js';
import { GPTModel } from '../../src/models/gpt.js';
import { KVCache } from '../../src/nn/gpt-kv-cache.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';
import { textModel } from './fakes.js';

const tokenizer = CharTokenizer.train(['abcdefgh ijklmnop\nqrstuvwxyz. 世界\n']);

function gpt(over = {}): GPTModel {
  return new GPTModel(
    {
      n_layer: 2,
      n_head: 2,
      n_embd: 16,
      block_size: 48,
      vocab_size: tokenizer.vocabSize,
      dropout: 0,
      bias: true,
      ...over,
    },
    tokenizer,
    11,
  );
}

async function single(model: GPTModel, prompt: string, o: Parameters<typeof streamText>[2]) {
  const ids = tokenizer.encode(prompt);
  const s = streamText(model, ids, { ...o, context: ids });
  for (;;) {
    const r = await s.next();
    if (r.done) return r.value;
  }
}

describe('generateBatch', () => {
  it('gives each prompt what it gets alone, in one batched pass per token', async () => {
    const model = gpt({ rope: true });
    const prompts = ['abc', 'qrs tuv', 'x'];
    let passes = 0;
    const extendAll = KVCache.extendAll;
    KVCache.extendAll = (runs) => {
      passes++;
      return extendAll(runs);
    };
    try {
      const deltas: string[] = ['', '', ''];
      const batch = await generateBatch(
        model,
        prompts.map((p) => tokenizer.encode(p)),
        { maxTokens: 20, seed: 3, onDelta: (i, d) => (deltas[i] += d) },
      );
      assert.ok(passes <= 20, `${passes} passes for 3 sequences of up to 20 tokens`);
      for (let i = 0; i < prompts.length; i++) {
        const alone = await single(model, prompts[i], { maxTokens: 20, seed: 3 + i });
        assert.deepEqual(batch[i], alone, `prompt ${i}`);
        assert.equal(deltas[i], batch[i].text);
      }
    } finally {
      KVCache.extendAll = extendAll;
    }
  });

  it('runs models without batched decoding one state at a time, each stopping on its own', async () => {
    const model = textModel('one two\nUser: three');
    const [a, b] = await generateBatch(model, [[], []], { stop: ['\nUser:'], maxTokens: 100 });
    assert.equal(a.text, 'one two');
    assert.equal(a.finishReason, 'stop');
    assert.deepEqual(a, b);
    const [c] = await generateBatch(model, [[]], { maxTokens: 3 });
    assert.deepEqual(c, { finishReason: 'length', completionTokens: 3, text: 'one' });
  });
});

describe('lmkit generate with a GPT', () => {
  const dir = join(tempDir(), 'gpt');
  gpt().save(dir);
  const json = (stdout: string) =>
    stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { prompt: string; text: string; tokens: number; finish_reason: string });

  it('takes several prompts (--prompt repeated, --prompts FILE) and answers each as it would alone', async () => {
    const file = join(tempDir(), 'prompts.txt');
    writeFileSync(file, 'qrs\nx y\n');
    const greedy = ['--temperature', '0', '--max-tokens', '12', '--json'];
    const r = await runCli(['generate', dir, '-p', 'abc', '--prompt', 'ijk', '--prompts', file, ...greedy]);
    assert.equal(r.code, 0, r.stderr);
    const rows = json(r.stdout);
    assert.deepEqual(
      rows.map((x) => x.prompt),
      ['abc', 'ijk', 'qrs', 'x y'],
    );
    for (const row of rows) {
      const alone = await runCli(['generate', dir, '--prompt', row.prompt, ...greedy]);
      assert.deepEqual(json(alone.stdout), [row]);
      const uncached = await runCli(['generate', dir, '--prompt', row.prompt, '--no-kv-cache', ...greedy]);
      assert.deepEqual(json(uncached.stdout), [row], 'the same text without the KV cache');
    }
  });

  it('stops at a --stop string without printing it, and streams one prompt as plain text', async () => {
    const base = ['generate', dir, '--prompt', 'abc', '--temperature', '0', '--max-tokens', '12'];
    const full = await runCli(base);
    assert.equal(full.code, 0, full.stderr);
    const text = full.stdout.slice('abc'.length, -1);
    assert.ok(text.length >= 4, `greedy text ${JSON.stringify(text)}`);
    const stop = text.slice(2, 4);
    const cut = text.slice(0, text.indexOf(stop));
    const r = await runCli([...base, '--stop', stop, '--stop', 'never there', '--json']);
    const [row] = json(r.stdout);
    assert.equal(row.text, 'abc' + cut);
    assert.equal(row.finish_reason, 'stop');
    const plain = await runCli([...base, '--stop', stop]);
    assert.equal(plain.stdout, 'abc' + cut + '\n');
  });

  it('makes --n samples per prompt, reproducible with --seed', async () => {
    const args = [
      'generate',
      dir,
      '-p',
      'a',
      '-p',
      'b',
      '--n',
      '3',
      '--seed',
      '7',
      '--max-tokens',
      '8',
      '--json',
    ];
    const one = await runCli(args);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(json(one.stdout).length, 6);
    assert.equal((await runCli(args)).stdout, one.stdout);
    assert.equal((await runCli([...args, '--batch-size', '2'])).stdout, one.stdout);
  });

  it('names a --prompts file that cannot be read', async () => {
    const r = await runCli(['generate', dir, '--prompts', join(tempDir(), 'missing.txt')]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /cannot read --prompts .*missing\.txt/);
  });
});
