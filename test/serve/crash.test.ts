import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NGramModel } from '../../src/ngram/ngram-model.js';
import { trainNGram } from '../../src/ngram/train.js';
import { ConversationStore } from '../../src/serve/store/conversations.js';
import { openDatabase } from '../../src/serve/store/db.js';
import { ROOT, tempDir } from '../helpers/paths.js';
import { SENTENCES } from './helpers.js';

describe('history survives kill -9', () => {
  it('keeps every committed message and opens cleanly after the server is killed mid-stream', async () => {
    const dir = tempDir();
    const modelPath = join(dir, 'tiny.arpa');
    new NGramModel(trainNGram(SENTENCES, { order: 3, smoothing: 'kn' }).model).save(modelPath);
    const db = join(dir, 'history.db');
    const child = spawn(
      process.execPath,
      [join(ROOT, 'bin/lmkit.js'), 'serve', modelPath, '--port', '0', '--db', db],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let err = '';
        child.stderr.on('data', (c: Buffer) => {
          err += c.toString();
          const m = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
          if (m) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
      });
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
