/**
 * The chat page: keeps the conversation list and the open conversation, sends messages and streams the
 * replies in, stops, regenerates, edits (a new branch) and switches branches, all through the server's
 * history routes, so everything shown is what the server stored.
 */
import './style.css';
import {
  Api,
  ServerError,
  type Comparison,
  type Conversation,
  type ConversationDetail,
  type Message,
  type ReplyEvent,
} from './api.js';
import { copyText } from './markdown.js';
import {
  bindSettings,
  bindTheme,
  compareModel,
  readSettings,
  sampling,
  selectModel,
  setModels,
} from './settings.js';
import { branchTo, siblings } from './tree.js';
import {
  comparisonView,
  conversationList,
  fill,
  messageView,
  pendingView,
  type ComparisonActions,
  type MessageActions,
} from './views.js';

const api = new Api();
const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const list = $('conversations');
const thread = $('messages');
const input = $<HTMLTextAreaElement>('input');
const sendButton = $<HTMLButtonElement>('send');
const stopButton = $<HTMLButtonElement>('stop');

let conversations: Conversation[] = [];
let open: ConversationDetail | undefined;
/** The reply being streamed, if any. */
let streaming: AbortController | undefined;

/** Runs an action, showing what went wrong (and asking for the API key on 401). */
async function guarded(action: () => Promise<void>): Promise<void> {
  try {
    await action();
    $('error').hidden = true;
  } catch (err) {
    if (err instanceof ServerError && err.status === 401) askForKey();
    else showError(err instanceof Error ? err.message : String(err));
  }
}

function showError(message: string): void {
  $('error-text').textContent = message;
  $('error').hidden = false;
}

function askForKey(): void {
  const dialog = $<HTMLDialogElement>('key-dialog');
  $<HTMLInputElement>('key-input').value = api.key;
  if (!dialog.open) dialog.showModal();
}

async function refreshList(): Promise<void> {
  conversations = (await api.json<{ data: Conversation[] }>('GET', '/api/conversations')).data;
  renderList();
}

function renderList(): void {
  list.replaceChildren(
    ...conversationList(conversations, open?.conversation.id, {
      open: (id) => void guarded(() => openConversation(id)),
      rename: (c, title) =>
        void guarded(async () => {
          await api.json('PATCH', `/api/conversations/${c.id}`, { title });
          if (open?.conversation.id === c.id) open.conversation.title = title;
          renderTitle();
          await refreshList();
        }),
      remove: (c) =>
        void guarded(async () => {
          if (!confirm(`Delete "${c.title || 'Untitled'}"?`)) return;
          await api.json('DELETE', `/api/conversations/${c.id}`);
          if (open?.conversation.id === c.id) newChat();
          await refreshList();
        }),
    }),
  );
}

async function load(id: string): Promise<ConversationDetail> {
  return api.json<ConversationDetail>('GET', `/api/conversations/${encodeURIComponent(id)}`);
}

async function openConversation(id: string): Promise<void> {
  if (streaming) return;
  open = await load(id);
  selectModel(open.conversation.model);
  history.replaceState(null, '', `#c=${open.conversation.id}`);
  renderThread();
  renderList();
}

function newChat(): void {
  if (streaming) return;
  open = undefined;
  history.replaceState(null, '', location.pathname);
  renderThread();
  renderList();
  input.focus();
}

function renderTitle(): void {
  const title = open?.conversation.title || 'New chat';
  $('chat-title').textContent = title;
  document.title = `${title} · lmkit`;
  $<HTMLButtonElement>('export').disabled = !open;
}

/** The messages of the open conversation's current branch. */
function currentBranch(): Message[] {
  if (!open) return [];
  return branchTo(open.messages, open.current.at(-1) ?? null);
}

const messageActions: MessageActions = {
  edit: (m, content) => void guarded(() => editMessage(m, content)),
  regenerate: (m) => void guarded(() => regenerate(m)),
  switchBranch: (_m, to) =>
    void guarded(async () => {
      if (!open || streaming) return;
      await api.json('PATCH', `/api/conversations/${open.conversation.id}`, { current_message_id: to.id });
      await openConversation(open.conversation.id);
    }),
  copy: (text) => void copyText(text),
  rate: (m, rating) =>
    void guarded(async () => {
      if (!open) return;
      const r = await api.json<{ rating: number }>(
        'POST',
        `/api/conversations/${open.conversation.id}/messages/${m.id}/rating`,
        { rating },
      );
      if (r.rating) open.ratings[m.id] = r.rating;
      else delete open.ratings[m.id];
      renderThread();
    }),
  compare: (m) => void guarded(() => compare(m)),
};

const comparisonActions: ComparisonActions = {
  choose: (c, choice) =>
    void guarded(async () => {
      if (!open || streaming) return;
      await api.json('POST', `/api/conversations/${open.conversation.id}/comparisons/${c.id}`, { choice });
      await openConversation(open.conversation.id);
    }),
};

/** The comparison waiting for a choice at the end of the shown branch, if any. */
function pendingComparison(shown: Message[]): Comparison | undefined {
  const last = shown.at(-1);
  if (!open || last?.role !== 'user') return undefined;
  return open.comparisons.findLast((c) => c.prompt_id === last.id && c.choice === null);
}

/** Shows `shown` (a branch of the open conversation) with buttons; the whole branch when omitted. */
function renderThread(shown = currentBranch()): void {
  renderTitle();
  if (!open) {
    const empty = document.createElement('div');
    empty.className = 'empty';
    const h = document.createElement('h2');
    h.textContent = 'lmkit chat';
    const p = document.createElement('p');
    p.textContent =
      'Pick a model, write a message and press Enter (Shift+Enter for a new line). Replies stream in; Stop ends one early.';
    empty.append(h, p);
    thread.replaceChildren(empty);
    return;
  }
  const all = open.messages;
  const detail = open;
  const pending = streaming ? undefined : pendingComparison(shown);
  thread.replaceChildren(
    ...shown.map((m, i) =>
      messageView(
        m,
        siblings(all, m),
        { busy: !!streaming, last: i === shown.length - 1 && !pending, rating: detail.ratings[m.id] },
        messageActions,
      ),
    ),
  );
  if (pending) {
    const byId = new Map(all.map((m) => [m.id, m]));
    const replies = [pending.a_id, pending.b_id].map((id) => {
      const m = byId.get(id);
      return { label: m?.model ?? 'assistant', content: m?.content ?? '' };
    });
    thread.append(comparisonView(replies, pending, comparisonActions).element);
  }
  thread.scrollTop = thread.scrollHeight;
}

/** Creates the conversation on the first message, with the system prompt from the settings. */
async function ensureConversation(): Promise<ConversationDetail> {
  if (open) return open;
  const s = readSettings();
  const c = await api.json<Conversation>('POST', '/api/conversations', { model: s.model || undefined });
  if (s.system.trim())
    await api.json('POST', `/api/conversations/${c.id}/messages`, { role: 'system', content: s.system });
  open = await load(c.id);
  history.replaceState(null, '', `#c=${c.id}`);
  return open;
}

async function sendMessage(): Promise<void> {
  const text = input.value;
  if (streaming || !text.trim()) return;
  if (pendingComparison(currentBranch()))
    throw new Error(
      'pick the better of the two replies first (or Tie), then the conversation goes on from it',
    );
  const detail = await ensureConversation();
  input.value = '';
  resizeInput();
  const shown = currentBranch();
  const r = await streamReply(
    `/api/conversations/${detail.conversation.id}/messages`,
    { content: text, parent_id: shown.at(-1)?.id ?? null },
    shown,
    text,
  );
  if (r.failure && !r.answered && !input.value) {
    input.value = text; // the server did not take the message: give it back
    resizeInput();
  }
  if (r.failure) throw r.failure;
}

async function editMessage(m: Message, content: string): Promise<void> {
  if (!open || streaming) return;
  const shown = currentBranch();
  const above = shown.slice(
    0,
    shown.findIndex((x) => x.id === m.id),
  );
  const r = await streamReply(
    `/api/conversations/${open.conversation.id}/messages`,
    { content, parent_id: m.parent_id },
    above,
    content,
  );
  if (r.failure) throw r.failure;
}

async function regenerate(m: Message): Promise<void> {
  if (!open || streaming) return;
  const shown = currentBranch();
  const at = shown.findIndex((x) => x.id === m.id);
  const above = shown.slice(0, m.role === 'assistant' ? at : at + 1);
  const r = await streamReply(
    `/api/conversations/${open.conversation.id}/messages/${m.id}/regenerate`,
    {},
    above,
  );
  if (r.failure) throw r.failure;
}

/**
 * Asks for two replies to a user message (or to the message a reply answers) and streams them side by
 * side: the chosen model at two seeds, or the chosen model against the one picked under "Compare with".
 */
async function compare(m: Message): Promise<void> {
  if (!open || streaming) return;
  const detail = open;
  const shown = currentBranch();
  const at = shown.findIndex((x) => x.id === m.id);
  const above = shown.slice(0, m.role === 'assistant' ? at : at + 1);
  const params = sampling();
  const first = params.model ?? detail.conversation.model ?? undefined;
  const second = compareModel() || first;
  const labels = [first ?? 'assistant', second ?? 'assistant'];
  const controller = new AbortController();
  streaming = controller;
  setBusy(true);
  renderThread(above);
  const texts = ['', ''];
  const { element, bodies } = comparisonView(
    labels.map((label) => ({ label, content: '' })),
    undefined,
    comparisonActions,
  );
  element.classList.add('streaming');
  thread.append(element);
  thread.scrollTop = thread.scrollHeight;
  let failure: unknown;
  try {
    await api.stream(
      `/api/conversations/${detail.conversation.id}/messages/${m.id}/compare`,
      { ...params, models: first && second ? [first, second] : undefined },
      controller.signal,
      (e) => {
        if (e.type !== 'delta' || e.slot === undefined) return;
        texts[e.slot] += e.content;
        fill(bodies[e.slot], 'assistant', texts[e.slot]);
      },
    );
  } catch (err) {
    if ((err as Error).name !== 'AbortError') failure = err;
  } finally {
    streaming = undefined;
    setBusy(false);
  }
  await openConversation(detail.conversation.id);
  await refreshList();
  if (failure) throw failure;
}

/**
 * Posts to a streaming route and shows the reply as it arrives below `shown` (and the user's `sent`
 * text, if any). Afterwards (done, stopped or failed) shows the conversation as the server stored it,
 * and returns what went wrong, if anything, and the user message the server answered.
 */
async function streamReply(
  path: string,
  body: object,
  shown: Message[],
  sent?: string,
): Promise<{ failure?: unknown; answered?: Message }> {
  const detail = open as ConversationDetail;
  const controller = new AbortController();
  streaming = controller;
  setBusy(true);
  renderThread(shown);
  if (sent !== undefined) thread.append(pendingView('user', sent));
  const model = sampling().model ?? detail.conversation.model ?? 'assistant';
  const reply = pendingView('assistant', '', model);
  reply.classList.add('streaming');
  thread.append(reply);
  thread.scrollTop = thread.scrollHeight;
  const out = reply.querySelector('.content') as HTMLElement;
  const before = new Set(detail.messages.map((m) => m.id));
  let answered: Message | undefined;
  let text = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const paint = () => {
    timer = undefined;
    const stick = thread.scrollHeight - thread.scrollTop - thread.clientHeight < 80;
    fill(out, 'assistant', text);
    if (stick) thread.scrollTop = thread.scrollHeight;
  };
  const onEvent = (e: ReplyEvent) => {
    if (e.type === 'message') answered = e.message;
    if (e.type === 'delta') {
      text += e.content;
      timer ??= setTimeout(paint, 30);
    }
  };
  let failure: unknown;
  let stopped = false;
  try {
    const stored = await api.stream(path, { ...body, ...sampling() }, controller.signal, onEvent);
    if (!stored) failure = new Error('the reply stream ended early; the server may have stopped');
  } catch (err) {
    if ((err as Error).name === 'AbortError') stopped = true;
    else failure = err;
  } finally {
    if (timer) clearTimeout(timer);
    paint();
    reply.classList.remove('streaming');
    streaming = undefined;
    setBusy(false);
  }
  // A stopped reply is stored by the server once it notices; wait briefly for it.
  if (stopped && answered && text) await waitForReply(detail.conversation.id, answered.id, before);
  await openConversation(detail.conversation.id);
  await refreshList();
  return { failure, answered };
}

/** Polls until a new assistant message under `parentId` is stored (at most about two seconds). */
async function waitForReply(id: string, parentId: string, before: Set<string>): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const d = await load(id);
    if (d.messages.some((m) => m.parent_id === parentId && m.role === 'assistant' && !before.has(m.id)))
      return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function setBusy(busy: boolean): void {
  sendButton.hidden = busy;
  stopButton.hidden = !busy;
  document.body.classList.toggle('busy', busy);
  for (const b of document.querySelectorAll<HTMLButtonElement>('#messages .actions button:not(.copy)'))
    b.disabled = busy;
}

function resizeInput(): void {
  input.style.height = 'auto';
  input.style.height = `${Math.min(input.scrollHeight, 240)}px`;
}

async function exportConversation(): Promise<void> {
  if (!open) return;
  const doc = await api.json<object>('GET', `/api/conversations/${open.conversation.id}/export`);
  const blob = new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  const slug = open.conversation.title.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '');
  a.download = `${slug || 'conversation'}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

async function start(): Promise<void> {
  setModels(await api.models());
  await refreshList();
  const id = /^#c=([\w-]+)$/.exec(location.hash)?.[1];
  if (id && conversations.some((c) => c.id === id)) await openConversation(id);
  else renderThread();
}

bindSettings();
bindTheme($<HTMLButtonElement>('theme'));
$('new-chat').addEventListener('click', newChat);
$('export').addEventListener('click', () => void guarded(exportConversation));
$('settings-toggle').addEventListener('click', () => {
  const panel = $('settings');
  panel.hidden = !panel.hidden;
  $('settings-toggle').setAttribute('aria-expanded', String(!panel.hidden));
});
$('error-close').addEventListener('click', () => ($('error').hidden = true));
sendButton.addEventListener('click', () => void guarded(sendMessage));
stopButton.addEventListener('click', () => streaming?.abort());
input.addEventListener('input', resizeInput);
input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    void guarded(sendMessage);
  }
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && streaming) streaming.abort();
});
$('key-save').addEventListener('click', () => {
  api.key = $<HTMLInputElement>('key-input').value.trim();
  $<HTMLDialogElement>('key-dialog').close();
  void guarded(start);
});
void guarded(start);
