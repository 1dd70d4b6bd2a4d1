import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../src/serve/app.js';
import { isJsonType } from '../../src/serve/http.js';
import { parseHost } from '../../src/serve/origin.js';
import { ConversationStore } from '../../src/serve/store/conversations.js';
import { openDatabase } from '../../src/serve/store/db.js';
import { rawRequest, startTestServer, tinyModel, type TestServer } from './helpers.js';

const JSON_TYPE = { 'content-type': 'application/json' };
const EVIL = 'http://evil.example';

describe('no cross-site writes: foreign Origins and non-JSON bodies are refused', () => {
  let s: TestServer;
  let store: ConversationStore;
  let port: string;
  before(async () => {
    store = new ConversationStore(openDatabase(':memory:'));
    s = await startTestServer({ store });
    port = new URL(s.url).port;
  });
  after(async () => {
    await s.close();
    store.db.close();
  });

  it("refuses another site's simple text/plain POST with 403 and creates nothing", async () => {
    const r = await rawRequest(
      s.url,
      'POST',
      '/api/conversations',
      { 'content-type': 'text/plain', origin: EVIL },
      '{"title":"pwned"}',
    );
    assert.equal(r.status, 403);
    assert.equal(r.body.error?.type, 'permission_error');
    assert.equal(r.body.error?.code, 'forbidden_origin');
    assert.equal(store.list().length, 0);
  });

  it("refuses another site's JSON POSTs and messages: no history written, no generation", async () => {
    const c = store.create({ title: 'mine' });
    for (const [path, body] of [
      ['/api/conversations', '{}'],
      [`/api/conversations/${c.id}/messages`, '{"content":"hello","model":"tiny"}'],
      ['/v1/chat/completions', '{"model":"tiny","messages":[{"role":"user","content":"hi"}]}'],
    ]) {
      for (const type of ['text/plain', 'application/json', 'application/x-www-form-urlencoded']) {
        const r = await rawRequest(s.url, 'POST', path, { 'content-type': type, origin: EVIL }, body);
        assert.equal(r.status, 403, `${path} ${type}`);
      }
    }
    const gets = await rawRequest(s.url, 'GET', '/api/conversations', { origin: EVIL });
    assert.equal(gets.status, 403);
    assert.equal(gets.headers['access-control-allow-origin'], undefined);
    const nulled = await rawRequest(
      s.url,
      'POST',
      '/api/conversations',
      { ...JSON_TYPE, origin: 'null' },
      '{}',
    );
    assert.equal(nulled.status, 403);
    // a page on another port of the same machine is another site
    const other = await rawRequest(
      s.url,
      'POST',
      '/api/conversations',
      { ...JSON_TYPE, origin: 'http://127.0.0.1:1' },
      '{}',
    );
    assert.equal(other.status, 403);
    assert.deepEqual(
      store.list().map((x) => x.title),
      ['mine'],
    );
    assert.equal(store.messages(c.id).length, 0);
    store.delete(c.id);
  });

  it("accepts the server's own pages (Origin equal to its address) and clients with no Origin", async () => {
    for (const [host, origin] of [
      [`127.0.0.1:${port}`, `http://127.0.0.1:${port}`],
      [`localhost:${port}`, `http://localhost:${port}`],
      [`[::1]:${port}`, `http://[::1]:${port}`],
      [`localhost:${port}`, undefined],
    ]) {
      const headers: Record<string, string> = { ...JSON_TYPE, host: host as string };
      if (origin) headers.origin = origin;
      const r = await rawRequest(s.url, 'POST', '/api/conversations', headers, '{"title":"ok"}');
      assert.equal(r.status, 201, `${host} ${origin}`);
    }
    assert.equal(store.list().length, 4);
    for (const c of store.list()) store.delete(c.id);
  });

  it('requires Content-Type: application/json on JSON routes (415)', async () => {
    for (const type of [
      undefined,
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
    ]) {
      const headers: Record<string, string> = type ? { 'content-type': type } : {};
      for (const path of ['/api/conversations', '/v1/chat/completions', '/v1/completions', '/tokenize']) {
        const r = await rawRequest(s.url, 'POST', path, headers, '{"model":"tiny","prompt":"the"}');
        assert.equal(r.status, 415, `${path} ${type}`);
        assert.equal(r.body.error?.code, 'unsupported_media_type');
      }
    }
    assert.equal(store.list().length, 0);
    const ok = await rawRequest(
      s.url,
      'POST',
      '/api/conversations',
      { 'content-type': 'Application/JSON; charset=utf-8' },
      '{}',
    );
    assert.equal(ok.status, 201);
    store.delete((ok.body as { id: string }).id);
  });

  it('lets origins given with cors call it, and answers their preflight', async () => {
    const cors = await startTestServer({ store, cors: 'http://ui.example, http://two.example' });
    try {
      for (const origin of ['http://ui.example', 'http://two.example']) {
        const pre = await rawRequest(cors.url, 'OPTIONS', '/api/conversations', { origin });
        assert.equal(pre.status, 204);
        assert.equal(pre.headers['access-control-allow-origin'], origin);
        const r = await rawRequest(cors.url, 'POST', '/api/conversations', { ...JSON_TYPE, origin }, '{}');
        assert.equal(r.status, 201);
        assert.equal(r.headers['access-control-allow-origin'], origin);
      }
      const evil = await rawRequest(
        cors.url,
        'POST',
        '/api/conversations',
        { ...JSON_TYPE, origin: EVIL },
        '{}',
      );
      assert.equal(evil.status, 403);
      const preEvil = await rawRequest(cors.url, 'OPTIONS', '/api/conversations', { origin: EVIL });
      assert.equal(preEvil.status, 403);
      assert.equal(preEvil.headers['access-control-allow-origin'], undefined);
    } finally {
      await cors.close();
    }
    const any = await startTestServer({ store, cors: '*' });
    try {
      const r = await rawRequest(any.url, 'GET', '/api/conversations', { origin: EVIL });
      assert.equal(r.status, 200);
      assert.equal(r.headers['access-control-allow-origin'], '*');
    } finally {
      await any.close();
    }
    for (const c of store.list()) store.delete(c.id);
  });
});

describe('no DNS rebinding: a loopback server answers only to loopback Host names', () => {
  let s: TestServer;
  let store: ConversationStore;
  let port: string;
  before(async () => {
    store = new ConversationStore(openDatabase(':memory:'));
    store.create({ title: 'secret' });
    s = await startTestServer({ store, allowedHosts: ['chat.internal'] });
    port = new URL(s.url).port;
  });
  after(async () => {
    await s.close();
    store.db.close();
  });

  it('refuses a foreign or empty Host with 403 and an error object, on every route', async () => {
    for (const host of [
      `evil.example:${port}`,
      'evil.example',
      `:${port}`,
      `localhost.evil.example:${port}`,
      `127.0.0.1.nip.io:${port}`,
      `localhost:${Number(port) === 1 ? 2 : 1}`,
      'localhost',
      `localhost:${port}@evil.example`,
      `localhost:99999`,
    ]) {
      for (const path of ['/api/conversations', '/v1/models', '/health', '/']) {
        const r = await rawRequest(s.url, 'GET', path, { host });
        assert.equal(r.status, 403, `${host} ${path}`);
        assert.equal(r.body.error?.type, 'permission_error');
        assert.equal(r.body.error?.code, 'forbidden_host');
        assert.ok(!JSON.stringify(r.body).includes('secret'));
      }
    }
  });

  it('answers localhost, 127.0.0.1, [::1] with its port, and names given as allowed hosts', async () => {
    for (const host of [
      `localhost:${port}`,
      `LOCALHOST:${port}`,
      `127.0.0.1:${port}`,
      `[::1]:${port}`,
      'chat.internal',
      `chat.internal:${port}`,
    ]) {
      const r = await rawRequest(s.url, 'GET', '/api/conversations', { host });
      assert.equal(r.status, 200, host);
    }
  });

  it('leaves the Host alone when bound beyond loopback (an API key guards that server)', async () => {
    const app = createApp({ models: [tinyModel()], apiKey: 'k', log: () => undefined, uiRoot: null });
    const { port: p } = await app.listen(0, '0.0.0.0');
    try {
      const r = await rawRequest(`http://127.0.0.1:${p}`, 'GET', '/v1/models', {
        host: `box.lan:${p}`,
        authorization: 'Bearer k',
      });
      assert.equal(r.status, 200);
    } finally {
      await app.close();
    }
  });

  it('parses Host headers strictly', () => {
    assert.deepEqual(parseHost('LocalHost:8000'), { name: 'localhost', port: 8000 });
    assert.deepEqual(parseHost('[::1]'), { name: '[::1]', port: null });
    for (const bad of ['', ':80', 'a b', 'a:b', 'a:80:80', 'a/b', 'a@b', 'a:123456', '[::1', 'x:65536'])
      assert.equal(parseHost(bad), null, bad);
    assert.equal(isJsonType('application/json'), true);
    assert.equal(isJsonType('application/jsonp'), false);
    assert.equal(isJsonType(undefined), false);
  });
});
