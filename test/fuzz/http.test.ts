import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ConversationStore } from '../../src/serve/store/conversations.js';
import { openDatabase } from '../../src/serve/store/db.js';
import { rawRequest, startTestServer, tinyModel, type RawAnswer, type TestServer } from '../serve/helpers.js';
import { damagedBytes, damagedJson, deepJsonText, runs } from './mutate.js';

const JSON_TYPE = { 'content-type': 'application/json' };

/** Passes when the answer is a success or a 4xx with an OpenAI error object, never a 5xx. */
function assertClean(r: RawAnswer, shown: string): void {
  assert.ok(r.status >= 200 && r.status < 500, `status ${r.status} for ${shown.slice(0, 300)}`);
  if (r.status >= 400) {
    assert.equal(typeof r.body.error?.message, 'string', shown.slice(0, 300));
    assert.equal(typeof r.body.error?.type, 'string');
  }
}

/**
 * Sends raw bytes on a fresh connection and returns the status code of the answer (0 when none came):
 * it waits 300 ms for an answer, then ends its side (a request cut short) and waits up to 1 s more.
 */
function rawExchange(url: string, bytes: Uint8Array): Promise<number> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    let text = '';
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const done = () => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      socket.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve(m ? Number(m[1]) : 0);
    };
    timers.push(
      setTimeout(() => socket.end(), 300),
      setTimeout(done, 1_300),
    );
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (text.includes('\r\n\r\n')) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.write(bytes);
  });
}

describe('fuzzed HTTP requests get a success or a 4xx error object, never a 5xx or a crash', () => {
  let s: TestServer;
  let store: ConversationStore;
  let conversation: string;
  let message: string;
  before(async () => {
    store = new ConversationStore(openDatabase(':memory:'));
    s = await startTestServer({ store, models: [tinyModel()], limits: { maxTokens: 64 } });
    conversation = store.create({ title: 'fuzz' }).id;
    message = store.add(conversation, { role: 'user', content: 'the jury' }).id;
  });
  after(async () => {
    await s.close();
    store.db.close();
  });

  const bodies = (): [string, string, unknown][] => [
    [
      'POST',
      '/v1/chat/completions',
      {
        model: 'tiny',
        messages: [{ role: 'user', content: 'the' }],
        max_tokens: 4,
        seed: 1,
        temperature: 0.5,
        top_p: 0.9,
        stop: ['.'],
      },
    ],
    ['POST', '/v1/completions', { model: 'tiny', prompt: 'the jury', max_tokens: 4, n: 2, seed: 2 }],
    ['POST', '/tokenize', { model: 'tiny', prompt: 'the city' }],
    ['POST', '/detokenize', { model: 'tiny', tokens: [3, 4, 5] }],
    ['POST', '/api/conversations', { title: 'new', model: 'tiny' }],
    ['PATCH', `/api/conversations/${conversation}`, { title: 'renamed', current_message_id: message }],
    [
      'POST',
      `/api/conversations/${conversation}/messages`,
      { content: 'the dog', model: 'tiny', max_tokens: 4, parent_id: message },
    ],
    [
      'POST',
      `/api/conversations/${conversation}/messages/${message}/regenerate`,
      { model: 'tiny', max_tokens: 4 },
    ],
  ];

  it('JSON bodies with fields replaced by wrong types, NaN, huge numbers and deep nesting', async () => {
    for (const [method, path, body] of bodies()) {
      await fc.assert(
        fc.asyncProperty(damagedJson(body), async (b) => {
          const text = JSON.stringify(b) ?? 'null';
          assertClean(await rawRequest(s.url, method, path, JSON_TYPE, text), `${path} ${text}`);
        }),
        runs(60),
      );
    }
  });

  it('bodies with damaged bytes, and nesting 100,000 deep', async () => {
    for (const [method, path, body] of bodies()) {
      const text = Buffer.from(JSON.stringify(body));
      await fc.assert(
        fc.asyncProperty(damagedBytes(text), async (b) => {
          assertClean(
            await rawRequest(s.url, method, path, JSON_TYPE, Buffer.from(b).toString('latin1')),
            path,
          );
        }),
        runs(30),
      );
      const deep = deepJsonText(100_000);
      assertClean(await rawRequest(s.url, method, path, JSON_TYPE, deep), `${path} deep`);
      assertClean(
        await rawRequest(s.url, method, path, JSON_TYPE, `{"model":${deep}}`),
        `${path} deep model`,
      );
    }
  });

  it('damaged request lines and headers are answered or closed, and the server stays up', async () => {
    const seen = new Set<number>();
    const body = '{"model":"tiny","prompt":"the","max_tokens":3}';
    const request = Buffer.from(
      `POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1:${new URL(s.url).port}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    assert.equal(await rawExchange(s.url, request), 200);
    await fc.assert(
      fc.asyncProperty(damagedBytes(request), async (b) => {
        const status = await rawExchange(s.url, b);
        assert.ok(status === 0 || status < 500, `status ${status}`);
        seen.add(status);
      }),
      runs(50),
    );
    assert.ok(seen.has(400), `statuses seen: ${[...seen].join(', ')}`);
    const health = await rawRequest(s.url, 'GET', '/health');
    assert.equal(health.status, 200);
  });
});
