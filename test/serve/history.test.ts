import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConversationStore } from '../../src/serve/store/conversations.js';
import { openDatabase } from '../../src/serve/store/db.js';
import { callJson, startTestServer, type TestServer } from './helpers.js';

interface Message {
  id: string;
  parent_id: string | null;
  role: string;
  content: string;
  model: string | null;
  params: Record<string, unknown> | null;
  finish_reason: string | null;
}

describe('chat history routes', () => {
  let s: TestServer;
  let store: ConversationStore;
  before(async () => {
    store = new ConversationStore(openDatabase(':memory:'));
    s = await startTestServer({ store });
  });
  after(async () => {
    await s.close();
    store.db.close();
  });

  const call = <T>(method: string, path: string, body?: object) => callJson<T>(s.url, method, path, body);

  it('creates a conversation, answers a message, regenerates, edits, switches branch, renames, exports, deletes', async () => {
    const created = await call<{ id: string }>('POST', '/api/conversations', { model: 'tiny' });
    assert.equal(created.status, 201);
    const id = created.json.id;
    const sys = await call<{ message: Message }>('POST', `/api/conversations/${id}/messages`, {
      role: 'system',
      content: 'You continue text.',
    });
    assert.equal(sys.status, 201);
    const first = await call<{ message: Message; reply: Message }>(
      'POST',
      `/api/conversations/${id}/messages`,
      {
        content: 'the jury said',
        temperature: 0.8,
        seed: 1,
      },
    );
    assert.equal(first.status, 201);
    assert.equal(first.json.message.parent_id, sys.json.message.id);
    assert.equal(first.json.reply.parent_id, first.json.message.id);
    assert.equal(first.json.reply.model, 'tiny');
    assert.deepEqual(first.json.reply.params, { max_tokens: 256, temperature: 0.8, seed: 1 });
    assert.ok(first.json.reply.content.length > 0);

    const regen = await call<{ reply: Message }>(
      'POST',
      `/api/conversations/${id}/messages/${first.json.reply.id}/regenerate`,
      { seed: 2 },
    );
    assert.equal(regen.status, 201);
    assert.equal(regen.json.reply.parent_id, first.json.message.id);

    const edit = await call<{ message: Message; reply: Message }>(
      'POST',
      `/api/conversations/${id}/messages`,
      {
        content: 'the dog',
        parent_id: sys.json.message.id,
        stream: false,
      },
    );
    const shown = await call<{ conversation: { title: string }; messages: Message[]; current: string[] }>(
      'GET',
      `/api/conversations/${id}`,
    );
    assert.equal(shown.json.messages.length, 6);
    assert.deepEqual(shown.json.current, [sys.json.message.id, edit.json.message.id, edit.json.reply.id]);
    assert.equal(shown.json.conversation.title, 'the jury said');

    const switched = await call<{ current_leaf_id: string }>('PATCH', `/api/conversations/${id}`, {
      current_message_id: first.json.message.id,
      title: 'Jury talk',
    });
    assert.equal(switched.json.current_leaf_id, regen.json.reply.id);

    const exported = await call<{ conversation: { title: string }; current: { role: string }[] }>(
      'GET',
      `/api/conversations/${id}/export`,
    );
    assert.equal(exported.json.conversation.title, 'Jury talk');
    assert.deepEqual(
      exported.json.current.map((m) => m.role),
      ['system', 'user', 'assistant'],
    );

    const list = await call<{ data: { id: string }[] }>('GET', '/api/conversations');
    assert.ok(list.json.data.some((c) => c.id === id));
    assert.equal((await call('DELETE', `/api/conversations/${id}`)).status, 200);
    assert.equal((await call('GET', `/api/conversations/${id}`)).status, 404);
  });

  it('streams a reply as events and stores it', async () => {
    const { json: c } = await call<{ id: string }>('POST', '/api/conversations', {});
    const r = await fetch(`${s.url}/api/conversations/${c.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'the man', model: 'tiny', stream: true, seed: 4 }),
    });
    assert.equal(r.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const events = (await r.text())
      .split('\n\n')
      .filter((e) => e.startsWith('data: '))
      .map((e) => e.slice(6));
    assert.equal(events.at(-1), '[DONE]');
    const parsed = events
      .slice(0, -1)
      .map((e) => JSON.parse(e) as { type: string; content?: string; message: Message });
    assert.equal(parsed[0].type, 'message');
    const done = parsed.at(-1);
    assert.equal(done?.type, 'reply');
    const text = parsed
      .filter((e) => e.type === 'delta')
      .map((e) => e.content)
      .join('');
    assert.equal(text, done?.message.content);
    assert.equal(store.path(c.id).at(-1)?.content, text);
  });

  it('answers 400 for bad message bodies and 404 for unknown conversations', async () => {
    const { json: c } = await call<{ id: string }>('POST', '/api/conversations', {});
    assert.equal((await call('POST', `/api/conversations/${c.id}/messages`, { content: 5 })).status, 400);
    assert.equal(
      (await call('POST', `/api/conversations/${c.id}/messages`, { content: 'x', role: 'god' })).status,
      400,
    );
    assert.equal(
      (await call('POST', `/api/conversations/${c.id}/messages`, { content: 'x', parent_id: 'zz' })).status,
      404,
    );
    assert.equal((await call('POST', '/api/conversations/nope/messages', { content: 'x' })).status, 404);
    assert.equal((await call('PATCH', '/api/conversations/nope', { title: 'x' })).status, 404);
  });

  it('stores nothing when the server is too busy to answer (429)', async () => {
    const busy = await startTestServer({ store, concurrency: 1, maxQueue: 0 });
    const controller = new AbortController();
    try {
      const hold = await fetch(`${busy.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        signal: controller.signal,
        body: JSON.stringify({ model: 'slow', stream: true, messages: [{ role: 'user', content: 'go' }] }),
      });
      await (hold.body as ReadableStream<Uint8Array>).getReader().read();
      const c = store.create();
      const r = await fetch(`${busy.url}/api/conversations/${c.id}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content: 'hello', model: 'tiny' }),
      });
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('retry-after'), '1');
      assert.equal(store.messages(c.id).length, 0);
    } finally {
      controller.abort();
      await busy.close();
    }
  });
});
