import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startTestServer, tinyModel, type TestServer } from './helpers.js';

const words = new Set(
  'the jury said that city was good bad a man dog ran home nothing at all to and .'.split(' '),
);

function inVocabulary(text: string): boolean {
  return text.split(' ').every((w) => words.has(w));
}

describe('OpenAI-compatible API, through the official openai client', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());

  it('lists the models by id', async () => {
    const ids = [];
    for await (const m of s.client.models.list()) ids.push(m.id);
    assert.deepEqual(ids, ['tiny', 'slow']);
    assert.equal((await s.client.models.retrieve('tiny')).owned_by, 'lmkit');
  });

  it('answers a chat completion with a non-empty continuation and token usage', async () => {
    const r = await s.client.chat.completions.create({
      model: 'tiny',
      messages: [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: 'The jury said' },
      ],
      seed: 7,
    });
    assert.equal(r.object, 'chat.completion');
    assert.equal(r.choices.length, 1);
    const content = r.choices[0].message.content ?? '';
    assert.ok(content.length > 0);
    assert.ok(inVocabulary(content), content);
    assert.equal(r.choices[0].message.role, 'assistant');
    assert.equal(r.choices[0].finish_reason, 'stop');
    assert.equal(r.usage?.prompt_tokens, 3);
    assert.ok((r.usage?.completion_tokens ?? 0) >= 1);
  });

  it('streams a role chunk, content deltas, a finish chunk and usage, matching the non-streamed answer', async () => {
    const body = {
      model: 'tiny',
      messages: [{ role: 'user' as const, content: 'the man' }],
      seed: 3,
      max_tokens: 40,
    };
    const whole = await s.client.chat.completions.create(body);
    const stream = await s.client.chat.completions.create({
      ...body,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '' });
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    assert.equal(text, whole.choices[0].message.content);
    const finish = chunks.at(-2);
    assert.equal(finish?.choices[0].finish_reason, whole.choices[0].finish_reason);
    assert.deepEqual(chunks.at(-1)?.choices, []);
    assert.deepEqual(chunks.at(-1)?.usage, whole.usage);
    assert.ok(chunks.slice(0, -1).every((c) => c.usage === null));
  });

  it('works with the .stream() helper', async () => {
    const stream = s.client.chat.completions.stream({
      model: 'tiny',
      messages: [{ role: 'user', content: 'the dog' }],
      seed: 11,
    });
    let deltas = '';
    stream.on('content', (d) => (deltas += d));
    const final = await stream.finalChatCompletion();
    assert.equal(final.choices[0].message.content, deltas);
    assert.ok(deltas.length > 0);
  });

  it('stops at max_tokens with finish_reason length', async () => {
    const r = await s.client.chat.completions.create({
      model: 'slow',
      messages: [{ role: 'user', content: 'go' }],
      max_completion_tokens: 5,
    });
    assert.equal(r.choices[0].message.content, 'xxxxx');
    assert.equal(r.choices[0].finish_reason, 'length');
    assert.equal(r.usage?.completion_tokens, 5);
  });

  it('honours a stop list of 100 strings, n choices and seeds', async () => {
    const stop = Array.from({ length: 99 }, (_, i) => `zz${i}`).concat([' jury']);
    const r = await s.client.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'the' }],
      stop,
      n: 3,
      seed: 5,
      temperature: 1.5,
      top_p: 0.95,
      presence_penalty: 0.5,
      frequency_penalty: 0.5,
    });
    assert.equal(r.choices.length, 3);
    for (const c of r.choices) assert.ok(!(c.message.content ?? '').includes(' jury'));
    const again = await s.client.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'the' }],
      stop,
      n: 3,
      seed: 5,
      temperature: 1.5,
      top_p: 0.95,
      presence_penalty: 0.5,
      frequency_penalty: 0.5,
    });
    assert.deepEqual(
      again.choices.map((c) => c.message.content),
      r.choices.map((c) => c.message.content),
    );
  });

  it('continues a prompt with /v1/completions, spaced to follow it', async () => {
    const r = await s.client.completions.create({
      model: 'tiny',
      prompt: 'the jury',
      seed: 2,
      max_tokens: 30,
    });
    assert.equal(r.object, 'text_completion');
    const text = r.choices[0].text;
    assert.ok(text === '' || text.startsWith(' '), JSON.stringify(text));
    const stream = await s.client.completions.create({
      model: 'tiny',
      prompt: 'the jury',
      seed: 2,
      max_tokens: 30,
      stream: true,
    });
    let streamed = '';
    for await (const c of stream) streamed += c.choices[0]?.text ?? '';
    assert.equal(streamed, text);
  });

  it('cancels the generation when the client aborts', async () => {
    const controller = new AbortController();
    const stream = await s.client.chat.completions.create(
      { model: 'slow', messages: [{ role: 'user', content: 'go' }], stream: true, max_tokens: 4096 },
      { signal: controller.signal },
    );
    let received = 0;
    try {
      for await (const c of stream) {
        received += c.choices[0]?.delta.content?.length ?? 0;
        if (received >= 3) controller.abort();
      }
    } catch (err) {
      assert.ok(err instanceof OpenAI.APIUserAbortError, String(err));
    }
    assert.ok(received >= 3 && received < 4096);
    for (let i = 0; i < 100 && s.app.state.queue.active > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(s.app.state.queue.active, 0);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    assert.match(metrics, /lmkit_generations_cancelled_total\{model="slow"\} 1/);
    const tokens = Number(/lmkit_completion_tokens_total\{model="slow"\} (\d+)/.exec(metrics)?.[1]);
    assert.ok(tokens < 4096, `generated ${tokens} tokens after the abort`);
  });

  it('raises BadRequestError for invalid requests, naming the parameter', async () => {
    const bad = async (body: object, param: string) => {
      const err = await s.client.chat.completions
        .create(body as OpenAI.ChatCompletionCreateParamsNonStreaming)
        .catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.BadRequestError, String(err));
      assert.equal(err.status, 400);
      assert.equal(err.param, param);
    };
    await bad({ model: 'tiny', messages: [] }, 'messages');
    await bad({ model: 'tiny', messages: 'hi' }, 'messages');
    await bad({ model: 'tiny', messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role');
    await bad({ model: 'tiny', messages: [{ role: 'user', content: 5 }] }, 'messages[0].content');
    await bad({ model: 'tiny', messages: [{ role: 'user', content: 'x' }], temperature: 3 }, 'temperature');
    await bad({ model: 'tiny', messages: [{ role: 'user', content: 'x' }], temperature: '1' }, 'temperature');
    await bad({ model: 'tiny', messages: [{ role: 'user', content: 'x' }], top_k: 500 }, 'top_k');
    await bad({ model: 'tiny', messages: [{ role: 'user', content: 'x' }], max_tokens: 0 }, 'max_tokens');
    await bad({ model: 'tiny', messages: [{ role: 'user', content: 'x' }], max_tokens: 5000 }, 'max_tokens');
    await bad({ model: 'tiny', messages: [{ role: 'user', content: 'x' }], stop: [1] }, 'stop');
    await bad(
      { model: 'tiny', messages: [{ role: 'user', content: 'x' }], stop: Array(101).fill('a') },
      'stop',
    );
    await bad({ model: 'tiny', messages: Array(501).fill({ role: 'user', content: 'x' }) }, 'messages');
    await bad(
      { model: 'tiny', messages: [{ role: 'user', content: 'x'.repeat(8001) }] },
      'messages[0].content',
    );
    await bad(
      { model: 'tiny', messages: Array(5).fill({ role: 'user', content: 'x'.repeat(7000) }) },
      'messages',
    );
  });

  it('ignores unknown fields', async () => {
    const r = await s.client.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'the' }],
      user: 'someone',
      logit_bias: {},
      metadata: { a: 'b' },
    } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    assert.equal(r.choices.length, 1);
  });

  it('raises NotFoundError for an unknown model', async () => {
    const err = await s.client.chat.completions
      .create({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.NotFoundError);
    assert.equal(err.code, 'model_not_found');
    assert.match(err.message, /tiny, slow/);
  });
});

describe('OpenAI error classes for auth, a full queue and loading', () => {
  it('raises AuthenticationError without the right key, and answers with it', async () => {
    const s = await startTestServer({ apiKey: 'sekret', models: [tinyModel()] });
    try {
      const wrong = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'nope', maxRetries: 0 });
      const err = await wrong.models.list().catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.AuthenticationError);
      assert.equal((await fetch(`${s.url}/v1/models`)).status, 401);
      assert.equal((await fetch(`${s.url}/health`)).status, 200);
      const r = await s.client.chat.completions.create({
        model: 'tiny',
        messages: [{ role: 'user', content: 'the' }],
      });
      assert.equal(r.choices.length, 1);
    } finally {
      await s.close();
    }
  });

  it('raises RateLimitError when every slot is busy and the queue is full', async () => {
    const s = await startTestServer({ concurrency: 1, maxQueue: 0 });
    try {
      const controller = new AbortController();
      const busy = await s.client.chat.completions.create(
        { model: 'slow', messages: [{ role: 'user', content: 'go' }], stream: true, max_tokens: 4096 },
        { signal: controller.signal },
      );
      const it = busy[Symbol.asyncIterator]();
      await it.next();
      const err = await s.client.chat.completions
        .create({ model: 'tiny', messages: [{ role: 'user', content: 'the' }] })
        .catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.RateLimitError, String(err));
      controller.abort();
      await it.next().catch(() => undefined);
    } finally {
      await s.close();
    }
  });

  it('answers 503 (InternalServerError) while models load, then serves', async () => {
    let resolve: (m: ReturnType<typeof tinyModel>[]) => void = () => undefined;
    const s = await startTestServer({ models: new Promise((r) => (resolve = r)) });
    try {
      const err = await s.client.models.list().catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.InternalServerError);
      assert.equal(err.status, 503);
      assert.equal((await fetch(`${s.url}/health`)).status, 503);
      resolve([tinyModel()]);
      await s.app.ready;
      assert.equal((await fetch(`${s.url}/health`)).status, 200);
    } finally {
      await s.close();
    }
  });
});
