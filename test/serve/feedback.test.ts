import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConversationStore } from '../../src/serve/store/conversations.js';
import { openDatabase } from '../../src/serve/store/db.js';
import { FeedbackStore } from '../../src/serve/store/feedback.js';
import { callJson, startTestServer, tinyModel, type TestServer } from './helpers.js';

interface Message {
  id: string;
  parent_id: string | null;
  role: string;
  content: string;
  model: string | null;
  params: Record<string, unknown> | null;
}

interface Comparison {
  id: string;
  prompt_id: string;
  a_id: string;
  b_id: string;
  choice: string | null;
}

interface Detail {
  messages: Message[];
  current: string[];
  ratings: Record<string, number>;
  comparisons: Comparison[];
}

describe('feedback routes: thumbs and "which is better?"', () => {
  let s: TestServer;
  let store: ConversationStore;
  before(async () => {
    store = new ConversationStore(openDatabase(':memory:'));
    s = await startTestServer({ store, models: [tinyModel('tiny'), tinyModel('other')] });
  });
  after(async () => {
    await s.close();
    store.db.close();
  });

  const call = <T>(method: string, path: string, body?: object) => callJson<T>(s.url, method, path, body);

  async function chat(): Promise<{ id: string; message: Message; reply: Message }> {
    const c = await call<{ id: string }>('POST', '/api/conversations', { model: 'tiny' });
    const r = await call<{ message: Message; reply: Message }>(
      'POST',
      `/api/conversations/${c.json.id}/messages`,
      {
        content: 'the jury said',
        seed: 3,
      },
    );
    assert.equal(r.status, 201);
    return { id: c.json.id, ...r.json };
  }

  it('puts a thumb on a reply, changes it, takes it off, and shows it with the conversation', async () => {
    const { id, message, reply } = await chat();
    const up = await call<{ rating: number }>(
      'POST',
      `/api/conversations/${id}/messages/${reply.id}/rating`,
      {
        rating: 1,
      },
    );
    assert.equal(up.status, 200);
    assert.equal(up.json.rating, 1);
    let d = await call<Detail>('GET', `/api/conversations/${id}`);
    assert.deepEqual(d.json.ratings, { [reply.id]: 1 });
    await call('POST', `/api/conversations/${id}/messages/${reply.id}/rating`, { rating: -1 });
    d = await call<Detail>('GET', `/api/conversations/${id}`);
    assert.deepEqual(d.json.ratings, { [reply.id]: -1 });
    await call('POST', `/api/conversations/${id}/messages/${reply.id}/rating`, { rating: 0 });
    d = await call<Detail>('GET', `/api/conversations/${id}`);
    assert.deepEqual(d.json.ratings, {});

    const bad = await call<{ error: { param: string } }>(
      'POST',
      `/api/conversations/${id}/messages/${reply.id}/rating`,
      { rating: 2 },
    );
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.param, 'rating');
    const user = await call<{ error: { message: string } }>(
      'POST',
      `/api/conversations/${id}/messages/${message.id}/rating`,
      { rating: 1 },
    );
    assert.equal(user.status, 400);
    assert.match(user.json.error.message, /only replies can be rated/);
    const missing = await call('POST', `/api/conversations/${id}/messages/nope/rating`, { rating: 1 });
    assert.equal(missing.status, 404);
  });

  it('answers one message twice at two seeds, waits at the question, and goes on from the chosen reply', async () => {
    const { id, message, reply } = await chat();
    const cmp = await call<{ replies: Message[]; comparison: Comparison }>(
      'POST',
      `/api/conversations/${id}/messages/${reply.id}/compare`,
      { temperature: 1, seed: 40 },
    );
    assert.equal(cmp.status, 201);
    const [a, b] = cmp.json.replies;
    assert.equal(a.parent_id, message.id);
    assert.equal(b.parent_id, message.id);
    assert.equal(a.params?.seed, 40);
    assert.equal(b.params?.seed, 41);
    assert.equal(cmp.json.comparison.choice, null);
    let d = await call<Detail>('GET', `/api/conversations/${id}`);
    assert.equal(d.json.current.at(-1), message.id, 'the branch waits at the question');
    assert.deepEqual(
      d.json.comparisons.map((c) => [c.a_id, c.b_id, c.choice]),
      [[a.id, b.id, null]],
    );

    const chosen = await call<{ comparison: Comparison }>(
      'POST',
      `/api/conversations/${id}/comparisons/${cmp.json.comparison.id}`,
      { choice: 'b' },
    );
    assert.equal(chosen.status, 200);
    assert.equal(chosen.json.comparison.choice, 'b');
    d = await call<Detail>('GET', `/api/conversations/${id}`);
    assert.equal(d.json.current.at(-1), b.id, 'the conversation continues from B');

    const bad = await call<{ error: { param: string } }>(
      'POST',
      `/api/conversations/${id}/comparisons/${cmp.json.comparison.id}`,
      { choice: 'c' },
    );
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.param, 'choice');
    const unknown = await call('POST', `/api/conversations/${id}/comparisons/nope`, { choice: 'a' });
    assert.equal(unknown.status, 404);
  });

  it('compares two models at one seed, streamed slot by slot', async () => {
    const { id, message } = await chat();
    const r = await fetch(`${s.url}/api/conversations/${id}/messages/${message.id}/compare`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ models: ['tiny', 'other'], stream: true, seed: 5 }),
    });
    assert.equal(r.status, 200);
    const events = (await r.text())
      .split('\n\n')
      .filter((e) => e.startsWith('data: ') && !e.includes('[DONE]'))
      .map(
        (e) =>
          JSON.parse(e.slice(6)) as {
            type: string;
            slot?: number;
            message?: Message;
            comparison?: Comparison;
          },
      );
    const slots = events.filter((e) => e.type === 'delta').map((e) => e.slot);
    assert.ok(slots.includes(0) && slots.includes(1));
    assert.ok(slots.indexOf(1) > slots.lastIndexOf(0), 'B streams after A');
    const replies = events.filter((e) => e.type === 'reply').map((e) => e.message as Message);
    assert.deepEqual(
      replies.map((m) => [m.model, m.params?.seed]),
      [
        ['tiny', 5],
        ['other', 5],
      ],
    );
    // the same n-gram trained on the same text at the same seed writes the same reply
    assert.equal(replies[0].content, replies[1].content);
    const last = events.at(-1);
    assert.equal(last?.type, 'comparison');
    assert.equal(last?.comparison?.a_id, replies[0].id);
  });

  it('refuses comparisons that cannot differ or do not answer a user message', async () => {
    const { id, message } = await chat();
    const greedy = await call<{ error: { message: string } }>(
      'POST',
      `/api/conversations/${id}/messages/${message.id}/compare`,
      { temperature: 0 },
    );
    assert.equal(greedy.status, 400);
    assert.match(greedy.json.error.message, /temperature 0/);
    const unknownModel = await call('POST', `/api/conversations/${id}/messages/${message.id}/compare`, {
      models: ['tiny', 'nope'],
    });
    assert.equal(unknownModel.status, 404);
    const badModels = await call('POST', `/api/conversations/${id}/messages/${message.id}/compare`, {
      models: 'tiny',
    });
    assert.equal(badModels.status, 400);
    const sys = await call<{ message: Message }>('POST', `/api/conversations/${id}/messages`, {
      role: 'system',
      content: 'Be brief.',
      parent_id: null,
    });
    const onSystem = await call(
      'POST',
      `/api/conversations/${id}/messages/${sys.json.message.id}/compare`,
      {},
    );
    assert.equal(onSystem.status, 400);
  });
});

describe('feedback store', () => {
  it('upgrades a history of schema 1 in place, and deleting a conversation deletes its feedback', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lmkit-feedback-'));
    try {
      const path = join(dir, 'history.db');
      let db = openDatabase(path);
      let store = new ConversationStore(db);
      const c = store.create({ title: 'kept' });
      const q = store.add(c.id, { role: 'user', content: 'hello' });
      db.exec('DROP TABLE ratings; DROP TABLE comparisons; PRAGMA user_version = 1;');
      db.close();

      db = openDatabase(path);
      store = new ConversationStore(db);
      assert.equal(db.pragma('user_version', { simple: true }), 2);
      assert.equal(store.messages(c.id)[0].content, 'hello');
      const feedback = new FeedbackStore(store);
      const a = store.add(c.id, { role: 'assistant', content: 'hi', parentId: q.id });
      const b = store.add(c.id, { role: 'assistant', content: 'hey', parentId: q.id });
      feedback.rate(c.id, a.id, 1);
      const cmp = feedback.compare(c.id, q, a, b);
      assert.throws(() => feedback.compare(c.id, q, a, a), /itself/);
      assert.throws(() => feedback.compare(c.id, a, b, q), /not a reply/);
      feedback.decide(c.id, cmp.id, 'tie');
      assert.equal(feedback.comparisons(c.id)[0].choice, 'tie');
      store.delete(c.id);
      assert.equal((db.prepare('SELECT COUNT(*) AS n FROM ratings').get() as { n: number }).n, 0);
      assert.equal((db.prepare('SELECT COUNT(*) AS n FROM comparisons').get() as { n: number }).n, 0);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
