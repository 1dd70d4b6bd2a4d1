import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { ElmoModel } from '../../src/models/elmo.js';
import { createApp, type App } from '../../src/serve/app.js';
import { loadModel } from '../../src/serve/models.js';
import { WordTokenizer } from '../../src/tokenizers/word.js';
import { tempDir } from '../helpers/paths.js';

describe('POST /v1/embeddings with an ELMo checkpoint', () => {
  const tokenizer = WordTokenizer.train(['the cat sat on the mat', 'a dog ran']);
  const config = { n_embd: 6, n_layer: 2, dropout: 0, tie_weights: false, vocab_size: tokenizer.vocabSize };
  const model = new ElmoModel(config, tokenizer, 2);
  const dir = join(tempDir(), 'tiny-elmo');
  model.save(dir);
  let app: App;
  let client: OpenAI;

  before(async () => {
    app = createApp({ models: [loadModel(dir)], log: () => undefined });
    const { url } = await app.listen(0, '127.0.0.1');
    client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'none', maxRetries: 0 });
  });
  after(() => app.close());

  it("serves the mean over the tokens of the mix of ELMo's layers (2·n_embd wide)", async () => {
    const text = 'the cat sat on a mat';
    const r = await client.embeddings.create({ model: 'tiny-elmo', input: [text, 'a dog'] });
    assert.equal(r.data.length, 2);
    assert.equal(r.data[0].embedding.length, 12);
    const ids = tokenizer.encode(text);
    assert.equal(r.usage.prompt_tokens, ids.length + 2);
    const layers = model.contextualLayers(ids);
    for (let d = 0; d < 12; d++) {
      let s = 0;
      for (let i = 0; i < ids.length; i++) for (const l of layers) s += l[i * 12 + d];
      const want = s / ids.length / layers.length;
      assert.ok(Math.abs(r.data[0].embedding[d] - want) < 1e-5, `dimension ${d}`);
    }
    // contextual: "a" alone and "a" in a sentence get different vectors
    const one = await client.embeddings.create({ model: 'tiny-elmo', input: 'a' });
    const mixOfA = model.embed(tokenizer.encode('a'));
    one.data[0].embedding.forEach((v, d) => assert.ok(Math.abs(v - mixOfA[d]) < 1e-5));
    assert.notDeepEqual(one.data[0].embedding, r.data[1].embedding);
  });

  it('refuses other dimensions with an OpenAI error object', async () => {
    await assert.rejects(
      client.embeddings.create({ model: 'tiny-elmo', input: 'the cat', dimensions: 4 }),
      (err: { status?: number; message?: string }) =>
        err.status === 400 && /12 dimensions/.test(err.message ?? ''),
    );
  });
});
