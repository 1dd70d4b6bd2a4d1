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

describe('continuous batching in the server', () => {
  /** A checkpoint whose block is short enough that replies slide past it. */
  function longerCheckpoint(): string {
    const tokenizer = CharTokenizer.train(['hello world\nthe end\nabcdefghijklmnopqrstuvwxyz\n']);
    const dir = join(tempDir(), 'batch-gpt');
    const config = {
      n_layer: 2,
      n_head: 2,
      n_embd: 16,
      block_size: 24,
      vocab_size: tokenizer.vocabSize,
      dropout: 0,
      bias: true,
    };
    new GPTModel(config, tokenizer, 2).save(dir);
    return dir;
  }

  const REQUESTS = [
    { prompt: 'hello', max_tokens: 40, temperature: 0 },
    { prompt: 'the', max_tokens: 30, seed: 4 },
    { prompt: 'world', max_tokens: 12, seed: 5, temperature: 0.8, top_k: 6, stop: ['e'] },
    { prompt: 'abc', max_tokens: 50, seed: 6, top_p: 0.9, n: 2 },
    { prompt: 'end', max_tokens: 1, seed: 7 },
  ];

  it('gives concurrent requests the text each gets alone, streamed or not, in workers and on the HTTP thread', async () => {
    const dir = longerCheckpoint();
    const ask = async (url: string, body: object, stream: boolean) => {
      const r = await fetch(`${url}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'batch-gpt', ...body, stream }),
      });
      assert.equal(r.status, 200);
      if (!stream) {
        const json = (await r.json()) as { choices: { text: string; finish_reason: string }[] };
        return json.choices.map((c) => `${c.text}|${c.finish_reason}`);
      }
      const texts: string[] = [];
      for (const line of (await r.text()).split('\n\n')) {
        if (!line.startsWith('data: {')) continue;
        const c = (
          JSON.parse(line.slice(6)) as { choices: { index: number; text: string; finish_reason: string }[] }
        ).choices[0];
        texts[c.index] = (texts[c.index] ?? '') + c.text + (c.finish_reason ? `|${c.finish_reason}` : '');
      }
      return texts;
    };
    let alone: string[][] | undefined;
    for (const workers of [0, 1]) {
      const app = createApp({ models: [loadModel(dir)], workers, concurrency: 16, log: () => undefined });
      const { url } = await app.listen(0, '127.0.0.1');
      try {
        await app.ready;
        if (!alone) {
          alone = [];
          for (const body of REQUESTS) alone.push(await ask(url, body, false));
        }
        const together = await Promise.all(
          [false, true].flatMap((stream) => REQUESTS.map((body) => ask(url, body, stream))),
        );
        assert.deepEqual(together, [...alone, ...alone], `workers ${workers}`);
      } finally {
        await app.close();
      }
    }
    assert.ok(alone?.some((a) => a[0].endsWith('|stop')));
    assert.ok(alone?.some((a) => a[0].endsWith('|length')));
  });
});
