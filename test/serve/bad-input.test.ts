import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { LmkitError } from '../../src/errors.js';
import { isLoopback } from '../../src/serve/auth.js';
import { ConversationStore } from '../../src/serve/store/conversations.js';
import { openDatabase } from '../../src/serve/store/db.js';
import { startServer } from '../../src/serve/start.js';
import { ROOT } from '../helpers/paths.js';
import { startTestServer, type TestServer } from './helpers.js';

const execFileAsync = promisify(execFile);

/** The fields these tests read from a JSON answer. */
interface Answer {
  error: { message: string; type: string; param: string | null; code: string | null };
  tokens: number[];
  token_strs: string[];
  count: number;
  max_model_len: number | null;
}

/** Sends raw bytes and returns status, headers and parsed body (or text). */
function send(
  url: string,
  method: string,
  path: string,
  body?: Buffer | string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Answer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      { method, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed as Answer });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('bad input gets a clear 4xx and the server stays up', () => {
  let s: TestServer;
  let store: ConversationStore;
  before(async () => {
    store = new ConversationStore(openDatabase(':memory:'));
    s = await startTestServer({ store, limits: { maxBodyBytes: 64 * 1024 } });
  });
  after(async () => {
    await s.close();
    store.db.close();
  });

  const chat = '/v1/chat/completions';

  it('rejects malformed JSON, empty bodies and non-objects with 400', async () => {
    for (const body of ['{"model":', '', 'null', '[1,2]', '42']) {
      const r = await send(s.url, 'POST', chat, body);
      assert.equal(r.status, 400, body);
      assert.equal(r.body.error.type, 'invalid_request_error');
      assert.equal(typeof r.body.error.message, 'string');
      assert.ok('param' in r.body.error && 'code' in r.body.error);
    }
  });

  it('rejects a body that is not valid UTF-8 with 400', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"model":"tiny","messages":[{"role":"user","content":"'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}]}'),
    ]);
    const r = await send(s.url, 'POST', chat, bytes);
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'invalid_encoding');
  });

  it('rejects an oversized body with 413', async () => {
    const big = JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'x'.repeat(100_000) }] });
    const r = await send(s.url, 'POST', chat, big);
    assert.equal(r.status, 413);
    assert.equal(r.body.error.code, 'request_too_large');
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${s.url}${chat}`,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write('x'.repeat(10_000));
      req.end();
    });
    assert.equal(chunked, 413);
  });

  it('lets fetch and the openai client, still sending a 10 MB body, read the 413', async () => {
    // The clients run in another process, as a user's would: in this one they win the race to the
    // socket, and before the fix a separate client failed with EPIPE / "Connection error".
    const script = `
      import OpenAI from 'openai';
      const content = 'x'.repeat(10 << 20);
      const body = JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content }] });
      const seen = [];
      for (let i = 0; i < 3; i++) {
        try {
          const r = await fetch(process.argv[1] + '${chat}', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
          seen.push((await r.json()).error.code);
        } catch (e) { seen.push('fetch: ' + e.message + ' ' + e.cause?.code); }
      }
      const client = new OpenAI({ baseURL: process.argv[1] + '/v1', apiKey: 'none', maxRetries: 0 });
      try { await client.chat.completions.create({ model: 'tiny', messages: [{ role: 'user', content }] }); }
      catch (e) { seen.push(e.status === 413 ? 'openai 413' : 'openai: ' + e.message); }
      console.log(JSON.stringify(seen));`;
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script, s.url], {
      cwd: ROOT,
      maxBuffer: 1 << 20,
    });
    assert.deepEqual(JSON.parse(stdout), [
      'request_too_large',
      'request_too_large',
      'request_too_large',
      'openai 413',
    ]);
  });

  it('answers 404 for unknown routes and 405 for wrong methods', async () => {
    const r = await send(s.url, 'GET', '/v2/nothing');
    assert.equal(r.status, 404);
    assert.equal(r.body.error.code, 'unknown_url');
    const encoded = await send(s.url, 'GET', '/v1/models/%E0%A4%A');
    assert.equal(encoded.status, 400);
    assert.equal((await send(s.url, 'GET', '/v1/models/ti%6Ey')).status, 200);
    const m = await send(s.url, 'GET', chat);
    assert.equal(m.status, 405);
    assert.equal(m.headers.allow, 'POST');
  });

  it('tokenizes and detokenizes, and rejects ids outside the vocabulary', async () => {
    const t = await send(
      s.url,
      'POST',
      '/tokenize',
      JSON.stringify({ model: 'tiny', prompt: 'The jury said.' }),
    );
    assert.equal(t.status, 200);
    assert.deepEqual(t.body.token_strs, ['<unk>', 'jury', 'said', '.']);
    assert.equal(t.body.count, 4);
    assert.equal(t.body.max_model_len, 2);
    const d = await send(
      s.url,
      'POST',
      '/detokenize',
      JSON.stringify({ model: 'tiny', tokens: t.body.tokens.slice(1) }),
    );
    assert.deepEqual(d.body, { prompt: 'jury said .' });
    const bad = await send(s.url, 'POST', '/detokenize', JSON.stringify({ model: 'tiny', tokens: [1e9] }));
    assert.equal(bad.status, 400);
    const chat = await send(
      s.url,
      'POST',
      '/tokenize',
      JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'the dog' }] }),
    );
    assert.equal(chat.body.count, 2);
  });

  it('sends no CORS headers unless enabled', async () => {
    const r = await send(s.url, 'GET', '/health');
    assert.equal(r.headers['access-control-allow-origin'], undefined);
    const cors = await startTestServer({ cors: 'http://ui.example' });
    try {
      const pre = await send(cors.url, 'OPTIONS', chat, undefined, { origin: 'http://ui.example' });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers['access-control-allow-origin'], 'http://ui.example');
    } finally {
      await cors.close();
    }
  });

  it('survives 1000 connections opened and dropped, half-sent requests and abandoned streams', async (t) => {
    const conversation = store.create({ title: 'keep me' });
    store.add(conversation.id, { role: 'user', content: 'hello' });
    const { port } = new URL(s.url);
    const body = JSON.stringify({ model: 'slow', stream: true, messages: [{ role: 'user', content: 'go' }] });
    // The issue asks for 1000 connections; both ends live in this process, so each costs two descriptors.
    const fdLimit =
      Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim()) || Infinity;
    const count = Math.min(1000, Math.floor((fdLimit - 200) / 2));
    if (count < 1000) t.diagnostic(`open-file limit ${fdLimit}: ${count} connections instead of 1000`);
    const sockets = Array.from({ length: count }, (_, i) => {
      const sock = connect(Number(port), '127.0.0.1');
      sock.on('error', () => undefined);
      sock.on('connect', () => {
        if (i % 3 === 1)
          sock.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{"mo');
        if (i % 3 === 2) {
          sock.write(
            `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
          );
        }
        setTimeout(() => sock.destroy(), i % 3 === 2 ? 30 : 0);
      });
      return new Promise((resolve) => sock.on('close', resolve));
    });
    await Promise.all(sockets);
    for (let i = 0; i < 200 && (s.app.state.queue.active > 0 || s.app.state.queue.queued > 0); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(s.app.state.queue.active, 0);
    assert.equal(s.app.state.queue.queued, 0);
    const health = await send(s.url, 'GET', '/health');
    assert.equal(health.status, 200);
    const r = await s.client.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'the' }],
    });
    assert.equal(r.choices.length, 1);
    assert.equal(store.export(conversation.id).current[0].content, 'hello');
    assert.equal(store.db.pragma('integrity_check', { simple: true }), 'ok');
  });
});

describe('binding', () => {
  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) assert.ok(isLoopback(h), h);
    for (const h of ['0.0.0.0', '::', '192.168.1.2', 'example.com']) assert.ok(!isLoopback(h), h);
  });

  it('refuses to listen beyond loopback without an API key', async () => {
    await assert.rejects(
      startServer({ models: ['x.arpa'], host: '0.0.0.0', port: 0, log: () => undefined }),
      (err: LmkitError) => /without an API key/.test(err.message) && /--api-key/.test(err.hint ?? ''),
    );
  });
});
