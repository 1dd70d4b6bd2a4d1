import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NGramModel } from '../../src/ngram/ngram-model.js';
import { trainNGram } from '../../src/ngram/train.js';
import { loadModel } from '../../src/serve/models.js';
import { tempDir } from '../helpers/paths.js';
import { startTestServer } from './helpers.js';

/** Writes a trigram of these sentences to `path` (ARPA). */
function writeModel(path: string, sentences: string[]): void {
  new NGramModel(trainNGram(sentences, { order: 3, smoothing: 'kn' }).model).save(path);
}

const CATS = ['the cat sat on the mat .', 'the cat sat on the mat .'];
const DOGS = ['the dog ran to the park .', 'the dog ran to the park .'];

describe('POST /admin/reload', () => {
  it('serves the new weights of a model file without a restart, lets running generations finish, and keeps the old set when a file is broken', async () => {
    const dir = tempDir();
    const path = join(dir, 'policy.arpa');
    writeModel(path, CATS);
    const s = await startTestServer({
      models: [loadModel(path)],
      workers: 1,
      loadAgain: async () => ({ models: [loadModel(path)], embedders: [] }),
    });
    try {
      const complete = async () =>
        (
          await s.client.completions.create({
            model: 'policy',
            prompt: 'the',
            max_tokens: 5,
            temperature: 0,
          })
        ).choices[0].text;
      assert.match(await complete(), /cat sat/);

      // a long generation is running when the reload comes
      const long = fetch(`${s.url}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'policy', prompt: 'the', max_tokens: 2000, min_tokens: 2000 }),
      });
      writeModel(path, DOGS);
      const r = await fetch(`${s.url}/admin/reload`, { method: 'POST' });
      assert.equal(r.status, 200);
      assert.deepEqual(await r.json(), {
        object: 'reload',
        models: ['policy'],
        added: [],
        removed: [],
        reloaded: ['policy'],
      });
      assert.match(await complete(), /dog ran/);
      const finished = (await (await long).json()) as { usage: { completion_tokens: number } };
      assert.equal(finished.usage.completion_tokens, 2000, 'the running generation finished');

      writeFileSync(path, '\\data\\\nngram 1=oops\n');
      const broken = await fetch(`${s.url}/admin/reload`, { method: 'POST' });
      assert.equal(broken.status, 400);
      const err = (await broken.json()) as { error: { code: string; message: string } };
      assert.equal(err.error.code, 'reload_failed');
      assert.match(err.error.message, /still serving the models as they were/);
      assert.match(await complete(), /dog ran/);
    } finally {
      await s.close();
    }
  });

  it('needs the API key when the server has one, and answers 404 on a server not started from files', async () => {
    const locked = await startTestServer({
      apiKey: 'k',
      loadAgain: async () => ({ models: [], embedders: [] }),
    });
    try {
      assert.equal((await fetch(`${locked.url}/admin/reload`, { method: 'POST' })).status, 401);
    } finally {
      await locked.close();
    }
    const plain = await startTestServer();
    try {
      const r = await fetch(`${plain.url}/admin/reload`, { method: 'POST' });
      assert.equal(r.status, 404);
      assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'reload_unsupported');
    } finally {
      await plain.close();
    }
  });
});
