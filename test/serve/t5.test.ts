import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import OpenAI from 'openai';
import { T5Model, withT5Tokens } from '../../src/models/t5.js';
import { createApp } from '../../src/serve/app.js';
import { loadModel } from '../../src/serve/models.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

/** A tiny untrained T5 checkpoint over characters, saved in a fresh folder. */
function checkpoint(): string {
  const tokenizer = withT5Tokens(CharTokenizer.train(['define: harbor spell cat\n']), 4);
  const dir = join(tempDir(), 'tiny-t5');
  const config = {
    n_layer: 1,
    n_head: 2,
    n_embd: 16,
    block_size: 16,
    vocab_size: tokenizer.vocabSize,
    extra_ids: 4,
  };
  const model = new T5Model(config, tokenizer, 3);
  for (const { tensor } of model.net.namedParameters())
    for (let i = 0; i < tensor.size; i++) tensor.data[i] *= 3;
  model.save(dir);
  return dir;
}

describe('serving a T5 checkpoint', () => {
  it('/v1/completions answers a prompt as lmkit generate does, streamed or not, without echoing it', async () => {
    const dir = checkpoint();
    const cli = await runCli([
      'generate',
      dir,
      '--prompt',
      'define: harbor',
      '--temperature',
      '0',
      '--max-tokens',
      '10',
      '--json',
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    const want = (JSON.parse(cli.stdout) as { text: string }).text;
    assert.ok(want.length > 0);
    const app = createApp({ models: [loadModel(dir)], workers: 0, log: () => undefined });
    const { url } = await app.listen(0, '127.0.0.1');
    try {
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'none', maxRetries: 0 });
      const body = { model: 'tiny-t5', prompt: 'define: harbor', temperature: 0, max_tokens: 10 };
      const r = await client.completions.create(body);
      assert.equal(r.choices[0].text, want);
      const stream = await client.completions.create({ ...body, stream: true });
      let text = '';
      for await (const c of stream) text += c.choices[0]?.text ?? '';
      assert.equal(text, want);
    } finally {
      await app.close();
    }
  });
});
