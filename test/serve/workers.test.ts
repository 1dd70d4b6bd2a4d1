import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { streamText, type StreamResult } from '../../src/generate/stream.js';
import { GPTModel } from '../../src/models/gpt.js';
import { NGramModel } from '../../src/ngram/ngram-model.js';
import { trainNGram } from '../../src/ngram/train.js';
import { createApp } from '../../src/serve/app.js';
import { loadModel } from '../../src/serve/models.js';
import { WorkerPool, type StepSize } from '../../src/serve/worker-pool.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { tempDir } from '../helpers/paths.js';
import { SENTENCES } from './helpers.js';

function modelFile(): string {
  const path = join(tempDir(), 'tiny.arpa');
  new NGramModel(trainNGram(SENTENCES, { order: 3, smoothing: 'kn' }).model).save(path);
  return path;
}

/** A tiny untrained GPT checkpoint over characters (its generations decode together). */
function gptFile(): string {
  const tokenizer = CharTokenizer.train(['hello world\nthe end\n']);
  const dir = join(tempDir(), 'tiny-gpt');
  const config = { n_layer: 1, n_head: 2, n_embd: 16, block_size: 64, vocab_size: tokenizer.vocabSize };
  new GPTModel({ ...config, dropout: 0, bias: true }, tokenizer, 1).save(dir);
  return dir;
}

async function drain(gen: AsyncGenerator<string, StreamResult>): Promise<[string, StreamResult]> {
  let text = '';
  for (;;) {
    const r = await gen.next();
    if (r.done) return [text, r.value];
    text += r.value;
  }
}

describe('generation worker threads', () => {
  it('give the same seeded text as generating on the HTTP thread', async () => {
    const path = modelFile();
    const answers: string[][] = [];
    for (const workers of [0, 2]) {
      const app = createApp({ models: [loadModel(path)], workers, log: () => undefined });
      const { url } = await app.listen(0, '127.0.0.1');
      try {
        await app.ready;
        assert.equal(app.state.pool !== undefined, workers > 0);
        const texts: string[] = [];
        for (const stream of [false, true]) {
          const r = await fetch(`${url}/v1/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'tiny', prompt: 'the dog', seed: 9, n: 3, stream, max_tokens: 30 }),
          });
          texts.push(await r.text());
        }
        answers.push(texts.map((t) => t.replace(/cmpl-[0-9a-f-]+/g, 'ID').replace(/"created":\d+/g, '')));
      } finally {
        await app.close();
      }
    }
    assert.deepEqual(answers[1], answers[0]);
  });

  it('stream deltas and results like streamText, and stop when cancelled', async () => {
    const path = modelFile();
    const pool = new WorkerPool(1, [{ id: 'tiny', path }]);
    try {
      const served = loadModel(path);
      const options = { seed: 4, maxTokens: 50, minTokens: 10 };
      const prompt = served.model.tokenizer.encode('the man');
      assert.deepEqual(
        await drain(pool.generate('tiny', prompt, options)),
        await drain(streamText(served.model, prompt, options)),
      );
      const controller = new AbortController();
      controller.abort();
      const [, result] = await drain(
        pool.generate('tiny', prompt, { maxTokens: 4096, minTokens: 4096, signal: controller.signal }),
      );
      assert.equal(result.finishReason, 'cancelled');
      assert.ok(result.completionTokens < 4096);
      await assert.rejects(drain(pool.generate('nope', prompt, {})), /no model 'nope'/);
    } finally {
      await pool.close();
    }
  });

  it("run a batching model's concurrent generations on one worker, in shared steps, each as alone", async () => {
    const [gpt, ngram] = [gptFile(), modelFile()];
    const pool = new WorkerPool(2, [
      { id: 'gpt', path: gpt, batches: true },
      { id: 'tiny', path: ngram },
    ]);
    const steps: StepSize[] = [];
    pool.onStep = (s) => steps.push(s);
    try {
      const served = loadModel(gpt);
      const prompt = served.model.tokenizer.encode('the');
      const options = (seed: number) => ({ seed, maxTokens: 40, minTokens: 40 });
      const together = await Promise.all(
        [1, 2, 3, 4].map((seed) => drain(pool.generate('gpt', prompt, options(seed)))),
      );
      for (const [i, seed] of [1, 2, 3, 4].entries())
        assert.deepEqual(together[i], await drain(streamText(served.model, prompt, options(seed))));
      const gptSteps = steps.filter((s) => s.model === 'gpt');
      // all four on one worker: 41 steps of 4, 40 tokens and the step that ends each (split over two
      // workers they would be 82 steps of 2)
      assert.equal(Math.max(...gptSteps.map((s) => s.size)), 4);
      assert.ok(gptSteps.length <= 45, `${gptSteps.length} steps`);
      assert.equal(
        gptSteps.reduce((t, s) => t + s.size, 0),
        4 * 41,
      );
    } finally {
      await pool.close();
    }
  });
});
