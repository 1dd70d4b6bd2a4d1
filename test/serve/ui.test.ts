import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_UI_ROOT } from '../../src/serve/routes/web.js';
import { tempDir } from '../helpers/paths.js';
import { startTestServer, type TestServer } from './helpers.js';

const SECRET = 'top-secret-3f9a';

/** Sends a GET with `path` exactly as written (fetch would normalise dot segments first). */
function rawGet(
  url: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('web UI files', () => {
  let s: TestServer;
  let root: string;
  before(async () => {
    const dir = tempDir();
    root = join(dir, 'ui');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'secret.txt'), SECRET);
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(root, 'assets', 'app-ABCD1234.js'), 'console.log(1);');
    writeFileSync(join(root, 'assets', 'licenses.txt'), 'MIT');
    writeFileSync(join(root, 'assets', '.env'), SECRET);
    s = await startTestServer({ uiRoot: root, apiKey: 'k' });
  });
  after(() => s.close());

  it('serves the page at / with its type, a strict content security policy and revalidation', async () => {
    const r = await fetch(`${s.url}/`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(r.headers.get('cache-control'), 'no-cache');
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.match(r.headers.get('content-security-policy') ?? '', /script-src 'self'(;|$)/);
    assert.match(r.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.equal(await r.text(), '<!doctype html><title>t</title>');
    const etag = r.headers.get('etag') ?? '';
    assert.match(etag, /^"[\w-]+"$/);
    const again = await fetch(`${s.url}/`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
  });

  it('serves hashed assets as immutable and others for revalidation, without the API key', async () => {
    const js = await fetch(`${s.url}/assets/app-ABCD1234.js`);
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(js.headers.get('content-length'), '15');
    const txt = await fetch(`${s.url}/assets/licenses.txt`);
    assert.equal(txt.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(txt.headers.get('cache-control'), 'no-cache');
    assert.equal((await fetch(`${s.url}/api/conversations`)).status, 401);
  });

  it('never serves anything outside the folder, dot files, or names with NUL bytes', async () => {
    const paths = [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/assets/%2E%2E%2F%2E%2E%2Fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/..%5c..%5csecret.txt',
      '/assets/%252e%252e%252fsecret.txt',
      `/assets/${encodeURIComponent(join(root, '..', 'secret.txt'))}`,
      '/assets//etc/passwd',
      '/assets/%2fetc%2fpasswd',
      '//etc/passwd',
      '/assets/.env',
      '/assets/%2eenv',
      '/assets/app-ABCD1234.js%00',
      '/assets/app-ABCD1234.js%00.png',
      '/assets/%00',
      '/assets/%ff',
      '/assets/',
    ];
    for (const path of paths) {
      const r = await rawGet(s.url, path);
      assert.ok([400, 404].includes(r.status), `${path}: ${r.status}`);
      assert.ok(!r.body.includes(SECRET), path);
      assert.ok(!r.body.includes('root:'), path);
    }
  });

  it('answers HEAD like GET without a body, and 405 for other methods on the page', async () => {
    const head = await fetch(`${s.url}/`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.match(head.headers.get('content-type') ?? '', /text\/html/);
    assert.equal((await head.arrayBuffer()).byteLength, 0);
    const post = await fetch(`${s.url}/`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });

  it('says how to build the UI when its folder is empty', async () => {
    const bare = await startTestServer({ uiRoot: tempDir() });
    try {
      const r = await fetch(`${bare.url}/`);
      assert.equal(r.status, 404);
      const body = (await r.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'ui_not_built');
      assert.match(body.error.message, /npm run build/);
    } finally {
      await bare.close();
    }
  });

  it('serves the built UI by default: the page and every asset it names', async (t) => {
    if (!existsSync(join(DEFAULT_UI_ROOT, 'index.html')) && !process.env.CI) {
      t.skip(`the UI is not built in ${DEFAULT_UI_ROOT} (npm run build builds it)`);
      return;
    }
    const built = await startTestServer();
    try {
      const page = await (await fetch(`${built.url}/`)).text();
      assert.equal(page, readFileSync(join(DEFAULT_UI_ROOT, 'index.html'), 'utf8'));
      const assets = [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(
        assets.map((a) => a.replace(/-\w+\./, '-HASH.')),
        ['/assets/app-HASH.css', '/assets/app-HASH.js'],
      );
      for (const a of assets) {
        const r = await fetch(`${built.url}${a}`);
        assert.equal(r.status, 200, a);
        assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      }
      assert.equal((await fetch(`${built.url}/assets/licenses.txt`)).status, 200);
    } finally {
      await built.close();
    }
  });
});
