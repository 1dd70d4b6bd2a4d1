import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NGramModel } from '../../src/ngram/ngram-model.js';
import { trainNGram } from '../../src/ngram/train.js';
import { ConversationStore } from '../../src/serve/store/conversations.js';
import { openDatabase } from '../../src/serve/store/db.js';
import { spawnServer } from '../../src/serve/spawn.js';
import { tempDir } from '../helpers/paths.js';
import { SENTENCES } from './helpers.js';

/** Fails unless every message's parent and every conversation's current leaf lie in its own conversation. */
function assertTree(store: ConversationStore): void {
  for (const c of store.list()) {
    const messages = store.messages(c.id);
    const ids = new Set(messages.map((m) => m.id));
    for (const m of messages) {
      assert.ok(m.parent_id === null || ids.has(m.parent_id), `message ${m.id} has a parent outside ${c.id}`);
      if (m.role === 'assistant') assert.ok(m.finish_reason, `reply ${m.id} has no finish reason`);
    }
    assert.ok(
      c.current_leaf_id === null || ids.has(c.current_leaf_id),
      `conversation ${c.id} has a lost leaf`,
    );
    store.path(c.id);
  }
}

describe('history survives kill -9', () => {
  it('stays whole across repeated kills while replies are being written, and the server restarts on it', async () => {
    const dir = tempDir();
    const modelPath = join(dir, 'tiny.arpa');
    new NGramModel(trainNGram(SENTENCES, { order: 3, smoothing: 'kn' }).model).save(modelPath);
    const db = join(dir, 'history.db');
    const kept = new Map<string, string[]>(); // conversation → contents the server confirmed before a kill
    for (let round = 0; round < 4; round++) {
      const { child, url } = await spawnServer([modelPath, '--db', db]);
      try {
        for (const [id, contents] of kept) {
          const r = await fetch(`${url}/api/conversations/${id}`);
          assert.equal(r.status, 200);
          const shown = ((await r.json()) as { messages: { content: string }[] }).messages.map(
            (m) => m.content,
          );
          assert.deepEqual(shown.slice(0, contents.length), contents);
        }
        const post = (path: string, body: object) =>
          fetch(`${url}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
        let confirmed = 0; // replies the server confirmed this round
        const clients = Array.from({ length: 6 }, async (_, k) => {
          for (;;) {
            const { id } = (await (await post('/api/conversations', { model: 'tiny' })).json()) as {
              id: string;
            };
            const r = (await (
              await post(`/api/conversations/${id}/messages`, { content: 'the jury', max_tokens: 8, seed: k })
            ).json()) as { message: { content: string }; reply: { content: string } };
            kept.set(id, [r.message.content, r.reply.content]);
            confirmed++;
            const stream = await post(`/api/conversations/${id}/messages`, {
              content: 'the dog',
              stream: true,
            });
            await stream.text();
          }
        }).map((c) => c.catch(() => undefined)); // they all end when the server is killed
        // kill mid-traffic: once a reply of this round is confirmed (however loaded the machine), then a while later
        for (let waited = 0; confirmed === 0 && waited < 30_000; waited += 20)
          await new Promise((resolve) => setTimeout(resolve, 20));
        await new Promise((resolve) => setTimeout(resolve, 100 + 150 * round));
        const exited = new Promise((resolve) => child.on('exit', resolve));
        child.kill('SIGKILL');
        await exited;
        await Promise.allSettled(clients);
      } finally {
        child.kill('SIGKILL');
      }
      const store = new ConversationStore(openDatabase(db));
      try {
        assert.equal(store.db.pragma('integrity_check', { simple: true }), 'ok');
        assertTree(store);
        for (const [id, contents] of kept)
          assert.deepEqual(
            store
              .messages(id)
              .slice(0, contents.length)
              .map((m) => m.content),
            contents,
          );
      } finally {
        store.db.close();
      }
    }
    assert.ok(kept.size > 0, 'replies were written between kills');
  });

  it('keeps every committed message and opens cleanly after the server is killed mid-stream', async () => {
    const dir = tempDir();
    const modelPath = join(dir, 'tiny.arpa');
    new NGramModel(trainNGram(SENTENCES, { order: 3, smoothing: 'kn' }).model).save(modelPath);
    const db = join(dir, 'history.db');
    const { child, url } = await spawnServer([modelPath, '--db', db]);
    try {
      const post = (path: string, body: object) =>
        fetch(`${url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const { id } = (await (await post('/api/conversations', { model: 'tiny' })).json()) as { id: string };
      const first = (await (
        await post(`/api/conversations/${id}/messages`, { content: 'the jury' })
      ).json()) as {
        reply: { content: string };
      };
      const streaming = await post(`/api/conversations/${id}/messages`, {
        content: 'the dog',
        stream: true,
        min_tokens: 4000,
        max_tokens: 4096,
      });
      const reader = (streaming.body as ReadableStream<Uint8Array>).getReader();
      let seen = '';
      while (!seen.includes('"type":"delta"')) seen += new TextDecoder().decode((await reader.read()).value);
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      await reader.read().catch(() => undefined);

      const store = new ConversationStore(openDatabase(db));
      try {
        assert.equal(store.db.pragma('integrity_check', { simple: true }), 'ok');
        const contents = store.messages(id).map((m) => m.content);
        assert.deepEqual(contents.slice(0, 3), ['the jury', first.reply.content, 'the dog']);
        assert.ok(contents.length <= 4);
      } finally {
        store.db.close();
      }
    } finally {
      child.kill('SIGKILL');
    }
  });
});
