import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import OpenAI from 'openai';
import { GPTModel } from '../../src/models/gpt.js';
import { createApp } from '../../src/serve/app.js';
import { loadModel, modelFilesIn } from '../../src/serve/models.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { runCli } from '../helpers/cli.js';
import { ROOT, tempDir } from '../helpers/paths.js';

/** A tiny untrained GPT checkpoint over characters, saved in a fresh folder. */
function checkpoint(): string {
  const tokenizer = CharTokenizer.train(['hello world\nthe end\n']);
  const dir = join(tempDir(), 'tiny-gpt');
  const config = {
    n_layer: 1,
    n_head: 2,
    n_embd: 16,
    block_size: 16,
    vocab_size: tokenizer.vocabSize,
    dropout: 0,
    bias: true,
  };
  new GPTModel(config, tokenizer, 1).save(dir);
  return dir;
}

describe('serving a GPT checkpoint', () => {
  it('lists checkpoint folders and streams the same seeded text on the HTTP thread and in workers', async () => {
    const dir = checkpoint();
    assert.deepEqual(modelFilesIn(join(dir, '..')), [dir]);
    const texts: string[] = [];
    for (const workers of [0, 1]) {
      const app = createApp({ models: [loadModel(dir)], workers, log: () => undefined });
      const { url } = await app.listen(0, '127.0.0.1');
      try {
        const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'none', maxRetries: 0 });
        assert.deepEqual(
          (await client.models.list()).data.map((m) => m.id),
          ['tiny-gpt'],
        );
        const stream = await client.chat.completions.create({
          model: 'tiny-gpt',
          messages: [{ role: 'user', content: 'hello' }],
          max_tokens: 20,
          seed: 3,
          stream: true,
        });
        let text = '';
        for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
        texts.push(text);
      } finally {
        await app.close();
      }
    }
    assert.ok(texts[0].length > 0);
    assert.equal(texts[1], texts[0]);
  });

  it("prepares a prompt as lmkit generate does (a run's --clean): same prompt and seed, same text", async () => {
    const dir = join(ROOT, 'test', 'fixtures', 'checkpoints', 'rnn-gru'); // trained with --clean
    for (const seed of [5, 6, 7]) {
      const cli = await runCli([
        'generate',
        dir,
        '--prompt',
        'The JURY!',
        '--seed',
        String(seed),
        '--max-tokens',
        '12',
        '--json',
      ]);
      assert.equal(cli.code, 0, cli.stderr);
      const want = JSON.parse(cli.stdout) as { prompt: string; text: string };
      assert.equal(want.prompt, 'the jury');
      const app = createApp({ models: [loadModel(dir)], workers: 0, log: () => undefined });
      const { url } = await app.listen(0, '127.0.0.1');
      try {
        const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'none', maxRetries: 0 });
        const r = await client.completions.create({
          model: 'rnn-gru',
          prompt: 'The JURY!',
          seed,
          max_tokens: 12,
        });
        assert.equal(want.prompt + r.choices[0].text, want.text, `seed ${seed}`);
      } finally {
        await app.close();
      }
    }
  });
});
