import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_MODEL_FILE } from '../../src/serve/default-model.js';
import { startServer } from '../../src/serve/start.js';
import { tempDir } from '../helpers/paths.js';

describe('lmkit serve with no model', () => {
  it('builds a Kneser-Ney model on Brown into an empty models folder, serves it, and says how to train more', async () => {
    const dir = tempDir();
    const lines: string[] = [];
    const { app, url } = await startServer({
      models: [],
      modelsDir: dir,
      host: '127.0.0.1',
      port: 0,
      db: join(dir, 'history.db'),
      log: (l) => lines.push(l),
    });
    try {
      assert.ok(existsSync(join(dir, DEFAULT_MODEL_FILE)));
      const log = lines.join('\n');
      assert.match(log, /building a Kneser-Ney trigram on the Brown corpus/);
      assert.match(log, /lmkit ngram train/);
      const r = (await (
        await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            messages: [{ role: 'user', content: 'The jury said' }],
            seed: 1,
            max_tokens: 20,
          }),
        })
      ).json()) as { model: string; choices: { message: { content: string } }[] };
      assert.equal(r.model, 'brown-kn3');
      assert.ok(r.choices[0].message.content.length > 0);
      assert.ok(!r.choices[0].message.content.includes('<unk>'));

      // the banner's own example, sent as printed: a text to continue, answered with more than a word
      const example = /curl (\S+) -H 'content-type: application\/json' -d '([^']+)'/.exec(log);
      assert.ok(example, log);
      assert.equal(example[1], `${url}/v1/completions`);
      const texts = new Set<string>();
      for (const seed of [1, 2, 3]) {
        const c = (await (
          await fetch(example[1], {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ ...JSON.parse(example[2]), seed }),
          })
        ).json()) as { choices: { text: string }[] };
        texts.add(c.choices[0].text);
      }
      assert.equal(texts.size, 3);
      assert.ok(
        [...texts].some((t) => t.trim().split(' ').length >= 5),
        `the example's answers: ${[...texts].join(' | ')}`,
      );
    } finally {
      await app.close();
    }
  });
});
