import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContinuousBatcher } from '../../src/generate/continuous.js';
import { streamText, type StreamOptions, type StreamResult } from '../../src/generate/stream.js';
import { GPTModel } from '../../src/models/gpt.js';
import { KVCache, type CacheRun } from '../../src/nn/gpt-kv-cache.js';
import { NGramModel } from '../../src/ngram/ngram-model.js';
import { trainNGram } from '../../src/ngram/train.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { textModel } from './fakes.js';

const tokenizer = CharTokenizer.train(['abcdefgh ijklmnop\nqrstuvwxyz. 世界\n']);

function gpt(over = {}): GPTModel {
  const config = { n_layer: 2, n_head: 2, n_embd: 16, block_size: 48, dropout: 0, bias: true, ...over };
  return new GPTModel({ ...config, vocab_size: tokenizer.vocabSize }, tokenizer, 11);
}

/** The deltas and result of a stream. */
async function drain(
  gen: AsyncGenerator<string, StreamResult>,
): Promise<{ deltas: string[]; result: StreamResult }> {
  const deltas: string[] = [];
  for (;;) {
    const r = await gen.next();
    if (r.done) return { deltas, result: r.value };
    deltas.push(r.value);
  }
}

/** Counts KVCache passes and the largest number of sequences one pass held, while `f` runs. */
async function countPasses<T>(f: () => Promise<T>): Promise<{ value: T; passes: number; widest: number }> {
  const extendAll = KVCache.extendAll;
  let passes = 0;
  let widest = 0;
  KVCache.extendAll = (runs: readonly CacheRun[]) => {
    passes++;
    widest = Math.max(widest, runs.length);
    return extendAll(runs);
  };
  try {
    return { value: await f(), passes, widest };
  } finally {
    KVCache.extendAll = extendAll;
  }
}

/** Requests of different prompts and options (greedy, seeded sampling, stops, limits). */
const REQUESTS: { prompt: string; o: StreamOptions }[] = [
  { prompt: 'abc', o: { temperature: 0, maxTokens: 30 } },
  { prompt: 'qrs tuv', o: { seed: 5, maxTokens: 25 } },
  { prompt: 'x', o: { seed: 6, temperature: 0.7, topK: 5, maxTokens: 40 } },
  { prompt: 'hello', o: { seed: 7, topP: 0.8, repetitionPenalty: 1.3, maxTokens: 12 } },
  { prompt: 'wor', o: { seed: 8, stop: ['e', 'a'], maxTokens: 40 } },
  { prompt: '', o: { seed: 9, maxTokens: 3 } },
];

describe('ContinuousBatcher', () => {
  for (const over of [{}, { rope: true, norm: 'rmsnorm' as const }, { block_size: 8 }]) {
    it(`gives concurrent requests exactly what each gets alone, in shared passes (${JSON.stringify(over)})`, async () => {
      const model = gpt(over);
      const alone = [];
      for (const { prompt, o } of REQUESTS) {
        const ids = tokenizer.encode(prompt);
        alone.push(await drain(streamText(model, ids, { ...o, context: ids })));
      }
      const batcher = new ContinuousBatcher(model);
      const {
        value: together,
        passes,
        widest,
      } = await countPasses(() =>
        Promise.all(
          REQUESTS.map(async ({ prompt, o }, i) => {
            // later requests join a batch already running
            for (let k = 0; k < i; k++) await new Promise((resolve) => setImmediate(resolve));
            const ids = tokenizer.encode(prompt);
            return drain(batcher.generate(ids, { ...o, context: ids }));
          }),
        ),
      );
      assert.deepEqual(together, alone);
      assert.ok(alone.some((a) => a.result.finishReason === 'stop' && a.result.completionTokens < 40));
      assert.ok(alone.some((a) => a.result.finishReason === 'length'));
      const tokens = alone.reduce((n, a) => n + a.result.completionTokens, 0);
      assert.equal(widest, REQUESTS.length, 'one pass held every running request');
      assert.ok(passes <= 45, `${passes} passes for ${tokens} tokens`);
      assert.equal(batcher.size, 0);
    });
  }

  it('lets a cancelled request leave the batch without disturbing the others', async () => {
    const model = gpt();
    const ids = tokenizer.encode('abc');
    const o = { seed: 3, maxTokens: 30, context: ids };
    const alone = await drain(streamText(model, ids, o));
    const batcher = new ContinuousBatcher(model);
    const controller = new AbortController();
    const cancelled = (async () => {
      const gen = batcher.generate(ids, { ...o, maxTokens: 1000, signal: controller.signal });
      let n = 0;
      for (;;) {
        const r = await gen.next();
        if (r.done) return r.value;
        if (++n === 5) controller.abort();
      }
    })();
    // a reader that stops reading leaves too
    const dropped = (async () => {
      const gen = batcher.generate(ids, { seed: 1, maxTokens: 1000, context: ids });
      await gen.next();
      await gen.return({ finishReason: 'cancelled', completionTokens: 0, text: '' });
    })();
    const [a, b, c] = await Promise.all([
      drain(batcher.generate(ids, o)),
      cancelled,
      drain(batcher.generate(ids, o)),
      dropped,
    ]);
    assert.deepEqual(a, alone);
    assert.deepEqual(c, alone);
    assert.equal(b.finishReason, 'cancelled');
    assert.ok(b.completionTokens >= 5 && b.completionTokens < 30, `${b.completionTokens} tokens`);
    assert.equal(batcher.size, 0);
  });

  it('steps models without batched decoding one state at a time, each with its own stops and limits', async () => {
    const scripted = textModel('one two\nUser: three');
    const batcher = new ContinuousBatcher(scripted);
    const [a, b] = await Promise.all([
      drain(batcher.generate([], { stop: ['\nUser:'], maxTokens: 100 })),
      drain(batcher.generate([], { maxTokens: 3 })),
    ]);
    assert.equal(a.result.text, 'one two');
    assert.equal(a.result.finishReason, 'stop');
    assert.deepEqual(b.result, { finishReason: 'length', completionTokens: 3, text: 'one' });

    const ngram = new NGramModel(
      trainNGram(['the dog ran home .', 'the man said that the dog ran .'], { order: 3, smoothing: 'kn' })
        .model,
    );
    const prompt = ngram.tokenizer.encode('the dog');
    const options = [1, 2, 3].map((seed) => ({ seed, maxTokens: 20, context: prompt }));
    const alone = [];
    for (const o of options) alone.push(await drain(streamText(ngram, prompt, o)));
    const many = new ContinuousBatcher(ngram);
    assert.deepEqual(await Promise.all(options.map((o) => drain(many.generate(prompt, o)))), alone);
  });

  it('refuses a bad option or token at once, leaving the batch as it was', async () => {
    const model = gpt();
    const batcher = new ContinuousBatcher(model);
    assert.throws(
      () => batcher.add([1], { temperature: -1 }, { delta() {}, done() {}, error() {} }),
      /temperature/,
    );
    assert.throws(() => batcher.add([999], {}, { delta() {}, done() {}, error() {} }), /999/);
    assert.equal(batcher.size, 0);
    const ids = tokenizer.encode('ab');
    const o = { seed: 2, maxTokens: 10, context: ids };
    assert.deepEqual(await drain(batcher.generate(ids, o)), await drain(streamText(model, ids, o)));
  });
});
