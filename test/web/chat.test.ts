/**
 * The web UI end to end: Debian's Chromium (driven by playwright-core) against a real server with a
 * fresh history database, a Kneser-Ney trigram trained here, and scripted models for a slow reply and
 * for hostile markup. Screenshots go to test-output/web/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHAT_TOKENS } from '../../src/chat/template.js';
import type { ServedModel } from '../../src/serve/models.js';
import { DEFAULT_UI_ROOT } from '../../src/serve/routes/web.js';
import { ConversationStore } from '../../src/serve/store/conversations.js';
import { openDatabase } from '../../src/serve/store/db.js';
import { FeedbackStore } from '../../src/serve/store/feedback.js';
import { ROOT, tempDir } from '../helpers/paths.js';
import { scriptedModel, startTestServer, tinyModel, type TestServer } from '../serve/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = join(ROOT, 'test-output', 'web');
const WORDS = new Set(
  'the jury said that city was good bad a man dog ran home nothing at all to and .'.split(' '),
);

/** Markdown with a code block, and markup that must never run. */
const HOSTILE_REPLY = [
  'Here is **bold** text and a [link](javascript:window.__pwned="link").',
  '<img src="x" onerror="window.__pwned=\'img\'"><script>window.__pwned="script"</script>',
  '<a href="#" onclick="window.__pwned=\'click\'">click</a> <svg onload="window.__pwned=\'svg\'"></svg>',
  '',
  '```js',
  'const answer = 42; // the answer',
  '```',
].join('\n');
/** The little of the page's globals that page functions read (tests compile without the DOM library). */
interface PageGlobals {
  document: {
    body: object;
    querySelector(selector: string): { textContent: string | null } | null;
  };
  getComputedStyle(element: object): { backgroundColor: string };
  localStorage: { removeItem(key: string): void };
  __pwned?: string;
}

/** In the page: whether the reply streaming in has at least `n` characters. */
function streamedAtLeast(n: number): boolean {
  const text = (globalThis as unknown as PageGlobals).document.querySelector(
    '.streaming .content',
  )?.textContent;
  return (text ?? '').length >= n;
}

const HOSTILE_USER = '<img src=x onerror="window.__pwned=\'user\'"> <script>window.__pwned="user2"</script>';

/** A byte-level model with the chat tokens that writes `text`, spending about `msPerToken` per token. */
function scriptedChatModel(id: string, text: string, msPerToken = 0): ServedModel {
  return scriptedModel(id, text, msPerToken, Object.values(CHAT_TOKENS));
}

const skip =
  !existsSync(CHROMIUM) && !process.env.CI
    ? `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run the browser test`
    : false;

describe('web UI in Chromium', { skip, timeout: 240_000 }, () => {
  let s: TestServer;
  let store: ConversationStore;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    assert.ok(
      existsSync(join(DEFAULT_UI_ROOT, 'index.html')),
      `the UI is not built in ${DEFAULT_UI_ROOT}: run npm run build`,
    );
    mkdirSync(OUT, { recursive: true });
    store = new ConversationStore(openDatabase(join(tempDir(), 'history.db')));
    s = await startTestServer({
      store,
      models: [
        tinyModel('tiny'),
        scriptedChatModel('slow', 'tick tock '.repeat(400), 15),
        scriptedChatModel('hostile', HOSTILE_REPLY),
      ],
    });
    context = await chromium.launchPersistentContext(tempDir('lmkit-chromium-'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      viewport: { width: 1100, height: 760 },
      acceptDownloads: true,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${s.url}/`);
    await page.waitForSelector('#model option[value="tiny"]', { state: 'attached' });
  });

  after(async () => {
    await context?.close();
    await s?.close();
    store?.db.close();
  });

  const shot = (name: string) => page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
  const stored = () => page.locator('#messages .message:not(.pending)');
  const replies = () => page.locator('#messages .role-assistant:not(.pending)');

  async function waitIdle(): Promise<void> {
    await page.waitForSelector('#send:not([hidden])');
    await page.waitForFunction(
      () => !(globalThis as unknown as PageGlobals).document.querySelector('#messages .pending'),
    );
  }

  it('sends with Enter (Shift+Enter is a new line) and shows the n-gram reply, stored in a new conversation', async () => {
    await page.selectOption('#model', 'tiny');
    await page.click('#input');
    await page.keyboard.type('the jury');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('said');
    assert.equal(await page.inputValue('#input'), 'the jury\nsaid');
    assert.equal(await page.locator('#messages .message').count(), 0);
    await page.keyboard.press('Enter');
    await waitIdle();
    assert.equal(await page.inputValue('#input'), '');
    assert.deepEqual(await stored().evaluateAll((els) => els.map((e) => e.classList[1])), [
      'role-user',
      'role-assistant',
    ]);
    const reply = (await replies().first().locator('.content').innerText()).trim();
    assert.ok(reply.length > 0);
    assert.ok(
      reply.split(/\s+/).every((w) => WORDS.has(w)),
      `the reply uses the model's words: ${reply}`,
    );
    const [c] = store.list();
    assert.equal(c.title, 'the jury said');
    assert.deepEqual(
      store.path(c.id).map((m) => [m.role, m.content.trim()]),
      [
        ['user', 'the jury\nsaid'],
        ['assistant', reply],
      ],
    );
    assert.equal(await page.locator('.conv-group h2').first().innerText(), 'TODAY');
    assert.equal(await page.locator('.conv.active .conv-title').innerText(), 'the jury said');
    await shot('1-first-reply');
  });

  it('streams tokens in as they are generated, and Stop ends the reply (the server stops and keeps what was said)', async () => {
    await page.click('#new-chat');
    await page.selectOption('#model', 'slow');
    await page.fill('#input', 'go');
    await page.keyboard.press('Enter');
    const streaming = page.locator('#messages .streaming .content');
    await page.waitForFunction(streamedAtLeast, 10);
    const early = (await streaming.textContent()) ?? '';
    await page.waitForFunction(streamedAtLeast, early.length + 20);
    assert.ok(await page.isVisible('#stop'));
    assert.ok(await page.isHidden('#send'));
    await shot('2-streaming');
    await page.click('#stop');
    await waitIdle();
    await page.waitForSelector('#messages .role-assistant .finish');
    assert.equal(await page.locator('#messages .role-assistant .finish').innerText(), 'stopped');
    const c = store.list()[0];
    const reply = store.path(c.id).at(-1);
    assert.equal(reply?.role, 'assistant');
    assert.equal(reply?.finish_reason, 'cancelled');
    const full = 'tick tock '.repeat(400);
    assert.ok(reply && reply.content.length > early.length && reply.content.length < full.length / 2);
    assert.ok(full.startsWith(reply.content));
    for (let i = 0; i < 50 && s.app.state.queue.active > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(s.app.state.queue.active, 0, 'the generation stopped on the server');
    await shot('3-stopped');
  });

  it('regenerates a reply as a second version and switches between versions', async () => {
    await page.click('.conv-title:text-is("the jury said")');
    await page.waitForSelector('#messages .role-assistant:not(.pending)');
    const first = await replies().first().locator('.content').innerText();
    await page.click('#messages .role-assistant button.regenerate');
    await waitIdle();
    await page.waitForSelector('#messages .role-assistant .branch-count');
    assert.equal(await page.locator('#messages .role-assistant .branch-count').innerText(), '2/2');
    await page.click('#messages .role-assistant .branch-prev');
    await page.waitForSelector('#messages .role-assistant .branch-count:text-is("1/2")');
    assert.equal(await replies().first().locator('.content').innerText(), first);
    await page.click('#messages .role-assistant .branch-next');
    await page.waitForSelector('#messages .role-assistant .branch-count:text-is("2/2")');
    const c = store.list().find((x) => x.title === 'the jury said');
    const assistants = store.messages(c?.id ?? '').filter((m) => m.role === 'assistant');
    assert.equal(assistants.length, 2);
    assert.equal(assistants[0].parent_id, assistants[1].parent_id);
  });

  it('edits an earlier message into a new branch and switches between the branches', async () => {
    await page.fill('#input', 'the dog');
    await page.keyboard.press('Enter');
    await waitIdle();
    assert.equal(await stored().count(), 4);
    await page.locator('#messages .role-user').first().locator('button.edit').click();
    await page.fill('#messages .edit-input', 'a man said');
    await page.click('#messages .edit-send');
    await waitIdle();
    assert.equal(await stored().count(), 2);
    assert.equal(await page.locator('#messages .role-user .content').innerText(), 'a man said');
    assert.equal(await page.locator('#messages .role-user .branch-count').innerText(), '2/2');
    await shot('4-edited-branch');
    await page.click('#messages .role-user .branch-prev');
    await page.waitForSelector('#messages .role-user .branch-count:text-is("1/2")');
    assert.deepEqual(await page.locator('#messages .role-user .content').allInnerTexts(), [
      'the jury\nsaid',
      'the dog',
    ]);
    assert.equal(await stored().count(), 4);
    await page.click('#messages .role-user .branch-next');
    await page.waitForSelector('#messages .role-user .branch-count:text-is("2/2")');
    assert.equal(await stored().count(), 2);
  });

  it('finds the history again after a reload, on the branch last shown', async () => {
    await page.reload();
    await page.waitForSelector('#messages .role-user');
    assert.equal(await page.locator('#messages .role-user .content').innerText(), 'a man said');
    assert.equal(await page.locator('#messages .role-user .branch-count').innerText(), '2/2');
    assert.deepEqual(await page.locator('.conv-title').allInnerTexts(), ['the jury said', 'go']);
    await page.click('.conv-title:text-is("go")');
    await page.waitForSelector('#messages .role-assistant .finish:text-is("stopped")');
    await shot('5-after-reload');
  });

  it('uses the settings (system prompt, temperature, max tokens), renders Markdown with highlighted code and a copy button, and runs no markup from the model or the user', async () => {
    await page.click('#new-chat');
    await page.selectOption('#model', 'hostile');
    await page.click('#settings-toggle');
    await page.fill('#max-tokens', '1000');
    await page.fill('#temperature', '0.5');
    await page.fill('#system', 'Be terse.');
    await page.click('#settings-toggle');
    await page.fill('#input', HOSTILE_USER);
    await page.keyboard.press('Enter');
    await waitIdle();
    await page.waitForSelector('#messages pre code.hljs');
    await checkHarmless();
    const branch = store.path(store.list()[0].id);
    assert.deepEqual(
      branch.map((m) => m.role),
      ['system', 'user', 'assistant'],
    );
    assert.equal(branch[0].content, 'Be terse.');
    assert.equal(await page.locator('#messages .role-system .content').innerText(), 'Be terse.');
    const reply = branch.at(-1);
    assert.equal(reply?.content, HOSTILE_REPLY);
    assert.deepEqual(reply?.params, { max_tokens: 1000, temperature: 0.5, top_p: 1 });
    await page.reload();
    await page.waitForSelector('#messages pre code.hljs');
    await checkHarmless();
    await shot('6-markdown-sanitised');
  });

  async function checkHarmless(): Promise<void> {
    assert.equal(await page.evaluate(() => (globalThis as unknown as PageGlobals).__pwned), undefined);
    const messages = page.locator('#messages');
    assert.equal(await messages.locator('script, [onerror], [onclick], [onload]').count(), 0);
    assert.equal(await messages.locator('a[href^="javascript"]').count(), 0);
    assert.equal(await messages.locator('.role-assistant .content strong').innerText(), 'bold');
    assert.ok((await messages.locator('pre code .hljs-keyword').count()) >= 1);
    assert.ok((await messages.locator('pre code .hljs-comment').count()) >= 1);
    assert.equal(await messages.locator('pre .copy-code').count(), 1);
    assert.equal(await messages.locator('.role-user .content').innerText(), HOSTILE_USER);
    const link = messages.locator('.role-assistant .content a').first();
    await link.click({ noWaitAfter: true }).catch(() => undefined);
    assert.equal(await page.evaluate(() => (globalThis as unknown as PageGlobals).__pwned), undefined);
  }

  it('renames, exports and deletes conversations', async () => {
    const item = page.locator('.conv').filter({ hasText: 'the jury said' });
    await item.hover();
    await item.locator('.conv-rename').click();
    await page.fill('.conv-rename-input', 'Jury talk');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.conv-title:text-is("Jury talk")');
    assert.ok(store.list().some((c) => c.title === 'Jury talk'));

    await page.click('.conv-title:text-is("Jury talk")');
    await page.waitForSelector('#chat-title:text-is("Jury talk")');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    const doc = JSON.parse(readFileSync((await download.path()) as string, 'utf8')) as {
      conversation: { title: string };
      current: { role: string; content: string }[];
    };
    assert.equal(download.suggestedFilename(), 'Jury-talk.json');
    assert.equal(doc.conversation.title, 'Jury talk');
    assert.deepEqual(
      doc.current.map((m) => m.role),
      ['user', 'assistant'],
    );
    assert.equal(doc.current[0].content, 'a man said');

    const go = page.locator('.conv').filter({ hasText: /^go/ });
    await go.hover();
    await go.locator('.conv-delete').click();
    await page.locator('.conv-title:text-is("go")').waitFor({ state: 'detached' });
    assert.ok(!store.list().some((c) => c.title === 'go'));
    assert.equal(store.list().length, 2);
  });

  it('follows the system colour scheme and the dark mode toggle', async () => {
    const background = () =>
      page.evaluate(() => {
        const g = globalThis as unknown as PageGlobals;
        return g.getComputedStyle(g.document.body).backgroundColor;
      });
    await page.evaluate(() => (globalThis as unknown as PageGlobals).localStorage.removeItem('lmkit.theme'));
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await page.waitForSelector('#model option[value="tiny"]', { state: 'attached' });
    assert.equal(await background(), 'rgb(23, 25, 29)');
    await page.emulateMedia({ colorScheme: 'light' });
    assert.equal(await background(), 'rgb(255, 255, 255)');
    await page.click('#theme');
    assert.equal(await background(), 'rgb(23, 25, 29)');
    await page.reload();
    await page.waitForSelector('#model option[value="tiny"]', { state: 'attached' });
    assert.equal(await background(), 'rgb(23, 25, 29)', 'the choice is remembered');
    await shot('7-dark');
    await page.click('#theme');
    assert.equal(await background(), 'rgb(255, 255, 255)');
  });

  it('asks for the API key when the server wants one, and then works', async () => {
    const locked = await startTestServer({ store, models: [tinyModel('tiny')], apiKey: 'sekret' });
    try {
      await page.goto(`${locked.url}/`);
      await page.waitForSelector('#key-dialog[open]');
      await page.fill('#key-input', 'sekret');
      await page.click('#key-save');
      await page.waitForSelector('#model option[value="tiny"]', { state: 'attached' });
      await page.waitForSelector('.conv-title:text-is("Jury talk")');
      assert.ok(await page.isHidden('#error'));
    } finally {
      await locked.close();
    }
    assert.deepEqual(pageErrors, []);
  });

  it('takes thumbs and "which is better?" choices, stored with the conversation', async () => {
    await page.goto(`${s.url}/`);
    await page.waitForSelector('#model option[value="tiny"]', { state: 'attached' });
    await page.click('#new-chat');
    await page.selectOption('#model', 'tiny');
    await page.fill('#input', 'the jury said');
    await page.keyboard.press('Enter');
    await waitIdle();
    const c = store.list()[0];
    const feedback = new FeedbackStore(store);

    await page.click('#messages .role-assistant .thumb-up');
    await page.waitForSelector('#messages .role-assistant .thumb-up[aria-pressed="true"]');
    assert.deepEqual(
      feedback.ratings(c.id).map((r) => r.rating),
      [1],
    );
    await page.click('#messages .role-assistant .thumb-down');
    await page.waitForSelector('#messages .role-assistant .thumb-down[aria-pressed="true"]');
    assert.equal(await page.locator('#messages .role-assistant .thumb-up[aria-pressed="true"]').count(), 0);
    assert.deepEqual(
      feedback.ratings(c.id).map((r) => r.rating),
      [-1],
    );

    // one model at two seeds
    await page.click('#messages .role-assistant button.compare');
    await page.waitForSelector('.comparison .choose-b');
    const columns = await page.locator('.comparison .content').allInnerTexts();
    assert.equal(columns.length, 2);
    assert.deepEqual(await page.locator('.comparison .who').allInnerTexts(), ['A · tiny', 'B · tiny']);
    await shot('8-compare');
    await page.click('.comparison .choose-b');
    await page.locator('.comparison').waitFor({ state: 'detached' });
    const [first] = feedback.comparisons(c.id);
    assert.equal(first.choice, 'b');
    assert.equal(store.path(c.id).at(-1)?.id, first.b_id, 'the thread goes on from B');
    assert.equal((await replies().last().locator('.content').innerText()).trim(), columns[1].trim());

    // against a second model picked in the settings; its markup stays inert in the columns too
    await page.click('#settings-toggle');
    await page.selectOption('#compare-model', 'hostile');
    await page.click('#settings-toggle');
    await page.click('#messages .role-assistant button.compare');
    await page.waitForSelector('.comparison .choose-tie');
    assert.deepEqual(await page.locator('.comparison .who').allInnerTexts(), ['A · tiny', 'B · hostile']);
    assert.equal(await page.evaluate(() => (globalThis as unknown as PageGlobals).__pwned), undefined);
    assert.equal(await page.locator('.comparison script, .comparison [onerror]').count(), 0);
    await page.reload();
    await page.waitForSelector('.comparison .choose-tie');
    await page.click('.comparison .choose-tie');
    await page.locator('.comparison').waitFor({ state: 'detached' });
    const second = feedback.comparisons(c.id)[1];
    assert.equal(second.choice, 'tie');
    assert.deepEqual(
      [store.message(c.id, second.a_id).model, store.message(c.id, second.b_id).model],
      ['tiny', 'hostile'],
    );
    assert.deepEqual(pageErrors, []);
  });
});
