import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { KeyedVectors } from '../../src/embed/keyed-vectors.js';
import { writeVectors } from '../../src/embed/vectors-file.js';
import { GPTModel } from '../../src/models/gpt.js';
import { createApp, type App } from '../../src/serve/app.js';
import { isVectorsFile, loadEmbedder, loadModel } from '../../src/serve/models.js';
import { startServer } from '../../src/serve/start.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { ROOT, tempDir } from '../helpers/paths.js';

const dir = tempDir();

/** Three words with simple vectors, as a binary word2vec file. */
function vectorsFile(): string {
  const path = join(dir, 'tiny-vectors.bin');
  writeVectors(path, new KeyedVectors(['king', 'queen', '.'], Float32Array.of(1, 0, 3, 2, 2, 1), 2));
  return path;
}

/** A tiny untrained GPT checkpoint over characters. */
function gptCheckpoint(): { dir: string; model: GPTModel } {
  const tokenizer = CharTokenizer.train(['hello world\nthe end\n']);
  const path = join(dir, 'tiny-gpt');
  const config = {
    n_layer: 1,
    n_head: 2,
    n_embd: 16,
    block_size: 8,
    vocab_size: tokenizer.vocabSize,
    dropout: 0,
    bias: true,
  };
  const model = new GPTModel(config, tokenizer, 1);
  model.save(path);
  return { dir: path, model };
}

describe('POST /v1/embeddings', () => {
  let app: App;
  let client: OpenAI;
  let url: string;
  const gpt = gptCheckpoint();
  const vectors = vectorsFile();

  before(async () => {
    assert.ok(isVectorsFile(vectors));
    app = createApp({
      models: [loadModel(gpt.dir)],
      embedders: [loadEmbedder(vectors)],
      log: () => undefined,
    });
    ({ url } = await app.listen(0, '127.0.0.1'));
    client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'none', maxRetries: 0 });
  });
  after(() => app.close());

  it('serves a vectors file: the mean of the word vectors, unknown words skipped and counted', async () => {
    // the official client asks for base64 by default and decodes it
    const r = await client.embeddings.create({
      model: 'tiny-vectors',
      input: ['King queen.', 'king unicorn'],
    });
    assert.equal(r.object, 'list');
    assert.equal(r.model, 'tiny-vectors');
    assert.deepEqual(
      r.data.map((d) => d.index),
      [0, 1],
    );
    // "King queen." is lowercased (the vocabulary has no capitals) and "queen." split into "queen" "."
    assert.deepEqual(r.data[0].embedding, [2, 1]);
    assert.deepEqual(r.data[1].embedding, [1, 0]);
    assert.equal(r.usage.prompt_tokens, 5);
    assert.equal((r.usage as unknown as { skipped_tokens: number }).skipped_tokens, 1);
    const f = await client.embeddings.create({
      model: 'tiny-vectors',
      input: 'queen',
      encoding_format: 'float',
    });
    assert.deepEqual(f.data[0].embedding, [3, 2]);
    const models = (await client.models.list()).data.map((m) => m.id);
    assert.deepEqual(models, ['tiny-gpt', 'tiny-vectors']);
    assert.equal((await client.models.retrieve('tiny-vectors')).id, 'tiny-vectors');
  });

  it('serves a GPT checkpoint: the mean of its last hidden states, over windows of its block size', async () => {
    const text = 'hello world, the end';
    const r = await client.embeddings.create({ model: 'tiny-gpt', input: text, encoding_format: 'float' });
    assert.equal(r.data[0].embedding.length, 16);
    const ids = gpt.model.tokenizer.encode(text);
    assert.equal(r.usage.prompt_tokens, ids.length);
    // by hand: the hidden states of each window of block_size (prefix first), averaged over the text's tokens
    const all = [...gpt.model.prefix, ...ids];
    const sum = new Float64Array(16);
    for (let s = 0; s < all.length; s += 8) {
      const w = all.slice(s, s + 8);
      const h = gpt.model.forwardHidden(w);
      for (let t = 0; t < w.length; t++)
        if (s + t >= gpt.model.prefix.length) for (let c = 0; c < 16; c++) sum[c] += h[t * 16 + c];
    }
    r.data[0].embedding.forEach((v, c) => assert.ok(Math.abs(v - sum[c] / ids.length) < 1e-5));
    // the hidden states are the ones the logits read: logits = hidden · wteᵀ
    const w = all.slice(0, 8);
    const h = gpt.model.forwardHidden(w);
    const logits = gpt.model.forwardLogits(w);
    const wte = gpt.model.net.wte.weight.data;
    const V = gpt.model.config.vocab_size;
    for (let t = 0; t < w.length; t++)
      for (let v = 0; v < V; v++) {
        let z = 0;
        for (let c = 0; c < 16; c++) z += h[t * 16 + c] * wte[v * 16 + c];
        assert.ok(Math.abs(z - logits[t * V + v]) < 1e-4);
      }
    const b = await client.embeddings.create({ model: 'tiny-gpt', input: text });
    b.data[0].embedding.forEach((v, c) => assert.equal(v, Math.fround(r.data[0].embedding[c])));
  });

  it('answers bad requests with 4xx OpenAI error objects', async () => {
    const post = async (body: unknown) => {
      const res = await fetch(`${url}/v1/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return {
        status: res.status,
        error: ((await res.json()) as { error: { message: string; param: string | null } }).error,
      };
    };
    const dims = await post({ model: 'tiny-vectors', input: 'king', dimensions: 1 });
    assert.equal(dims.status, 400);
    assert.equal(dims.error.param, 'dimensions');
    assert.match(dims.error.message, /has 2 dimensions and cannot shorten them/);
    assert.equal((await post({ model: 'tiny-vectors', input: 'king', dimensions: 2 })).status, 200);
    assert.match((await post({ model: 'tiny-vectors', input: '' })).error.message, /input\[0\] is empty/);
    assert.match(
      (await post({ model: 'tiny-vectors', input: [] })).error.message,
      /must not be an empty array/,
    );
    assert.match(
      (await post({ model: 'tiny-vectors', input: 3 })).error.message,
      /input must be a string or an array of strings/,
    );
    assert.match(
      (await post({ model: 'tiny-vectors', input: [[1, 2]] })).error.message,
      /token ids is not supported/,
    );
    assert.match(
      (await post({ model: 'tiny-vectors', input: 'king', encoding_format: 'hex' })).error.message,
      /encoding_format must be/,
    );
    const unknown = await post({ model: 'nope', input: 'king' });
    assert.equal(unknown.status, 404);
    const chat = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny-vectors', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(chat.status, 400);
    assert.match(
      ((await chat.json()) as { error: { message: string } }).error.message,
      /word vectors: it makes embeddings/,
    );
  });

  it('says which kinds cannot embed', async () => {
    const ngram = join(dir, 'tri.arpa');
    const { runCli } = await import('../helpers/cli.js');
    const train = await runCli([
      'ngram',
      'train',
      join(ROOT, 'test', 'fixtures', 'kenlm', 'tiny40.train.txt'),
      '--out',
      ngram,
    ]);
    assert.equal(train.code, 0, train.stderr);
    const other = createApp({ models: [loadModel(ngram)], log: () => undefined });
    const { url: u } = await other.listen(0, '127.0.0.1');
    try {
      const res = await fetch(`${u}/v1/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'tri', input: 'the' }),
      });
      assert.equal(res.status, 400);
      assert.match(
        ((await res.json()) as { error: { message: string } }).error.message,
        /'tri' \(ngram\) does not make embeddings/,
      );
    } finally {
      await other.close();
    }
  });

  it('lmkit serve VECTORS.bin serves word vectors beside an n-gram .bin, each told apart by its bytes', async () => {
    const ngram = join(dir, 'tri.bin');
    const { runCli } = await import('../helpers/cli.js');
    const train = await runCli([
      'ngram',
      'train',
      join(ROOT, 'test', 'fixtures', 'kenlm', 'tiny40.train.txt'),
      '--out',
      ngram,
    ]);
    assert.equal(train.code, 0, train.stderr);
    assert.ok(!isVectorsFile(ngram));
    const lines: string[] = [];
    const { app: served, url: u } = await startServer({
      models: [vectors, ngram],
      host: '127.0.0.1',
      port: 0,
      db: 'none',
      log: (l) => lines.push(l),
    });
    try {
      assert.match(lines.join('\n'), /2 models \(tri, tiny-vectors\)/);
      const c = new OpenAI({ baseURL: `${u}/v1`, apiKey: 'none', maxRetries: 0 });
      const r = await c.embeddings.create({ model: 'tiny-vectors', input: 'queen' });
      assert.deepEqual(r.data[0].embedding, [3, 2]);
    } finally {
      await served.close();
    }
  });
});
