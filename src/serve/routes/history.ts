/**
 * Chat history as JSON for the web UI: list, create, fetch, rename, switch branch, delete and export
 * conversations; send a message and get the model's reply (JSON or streamed), regenerate a reply.
 * Replies are generated from the conversation's current branch through the model's chat template.
 */
import type { ChatRole } from '../../chat/conversation.js';
import type { RequestContext, Route } from '../context.js';
import { badRequest, notFound, notReady } from '../errors.js';
import { generateChoices } from '../generation.js';
import { readJson, sendJson } from '../http.js';
import { SseWriter } from '../sse.js';
import type { ConversationStore, StoredMessage } from '../store/conversations.js';
import { FeedbackStore } from '../store/feedback.js';
import { wireParams } from '../../generate/sampling-params.js';
import { parseGenerationParams, type GenerationParams } from '../validate.js';

/** The server's chat history; 404 when it runs without a database. */
export function store(ctx: RequestContext): ConversationStore {
  if (!ctx.state.store)
    throw notFound('this server keeps no chat history (started without a database)', 'no_history');
  return ctx.state.store;
}

/** The request's JSON body, which must be an object. */
export async function body(ctx: RequestContext): Promise<Record<string, unknown>> {
  const b = await readJson(ctx.req, ctx.state.limits.maxBodyBytes);
  if (typeof b !== 'object' || b === null || Array.isArray(b))
    throw badRequest('the request body must be a JSON object', null, 'invalid_type');
  return b as Record<string, unknown>;
}

function optionalString(b: Record<string, unknown>, name: string): string | undefined {
  const v = b[name] ?? undefined;
  if (v !== undefined && typeof v !== 'string')
    throw badRequest(`'${name}' must be a string`, name, 'invalid_type');
  return v;
}

const id = (ctx: RequestContext, i = 0) => ctx.params[i];

function list(ctx: RequestContext): void {
  sendJson(ctx.res, 200, { object: 'list', data: store(ctx).list() });
}

async function create(ctx: RequestContext): Promise<void> {
  const b = await body(ctx);
  sendJson(
    ctx.res,
    201,
    store(ctx).create({ title: optionalString(b, 'title'), model: optionalString(b, 'model') }),
  );
}

function show(ctx: RequestContext): void {
  const s = store(ctx);
  const feedback = new FeedbackStore(s);
  const conversation = s.get(id(ctx));
  sendJson(ctx.res, 200, {
    conversation,
    messages: s.messages(conversation.id),
    current: s.path(conversation.id).map((m) => m.id),
    ratings: Object.fromEntries(feedback.ratings(conversation.id).map((r) => [r.message_id, r.rating])),
    comparisons: feedback.comparisons(conversation.id),
  });
}

async function update(ctx: RequestContext): Promise<void> {
  const s = store(ctx);
  const b = await body(ctx);
  const title = optionalString(b, 'title');
  const select = optionalString(b, 'current_message_id');
  let c = s.get(id(ctx));
  if (title !== undefined) c = s.rename(c.id, title);
  if (select !== undefined) c = s.select(c.id, select);
  sendJson(ctx.res, 200, c);
}

function remove(ctx: RequestContext): void {
  store(ctx).delete(id(ctx));
  sendJson(ctx.res, 200, { id: id(ctx), object: 'conversation.deleted', deleted: true });
}

function exportJson(ctx: RequestContext): void {
  const doc = store(ctx).export(id(ctx));
  sendJson(ctx.res, 200, doc, {
    'content-disposition': `attachment; filename="conversation-${doc.conversation.id}.json"`,
  });
}

/** Adds a message; a user message (unless `generate` is false) gets a reply from the model. */
async function addMessage(ctx: RequestContext): Promise<void> {
  const s = store(ctx);
  const b = await body(ctx);
  const conversation = s.get(id(ctx));
  const content = b.content;
  if (typeof content !== 'string') throw badRequest("'content' must be a string", 'content', 'invalid_type');
  if (content.length > ctx.state.limits.maxMessageChars) {
    throw badRequest(
      `the message is longer than ${ctx.state.limits.maxMessageChars} characters`,
      'content',
      'message_too_long',
    );
  }
  const role = (b.role ?? 'user') as ChatRole;
  if (!['system', 'user', 'assistant'].includes(role))
    throw badRequest("'role' must be system, user or assistant", 'role', 'invalid_role');
  const parent = b.parent_id === undefined ? undefined : (b.parent_id as string | null);
  if (parent !== undefined && parent !== null && typeof parent !== 'string')
    throw badRequest("'parent_id' must be a message id or null", 'parent_id', 'invalid_type');
  const params = parseGenerationParams(b, ctx.state.limits);
  const generate = role === 'user' && b.generate !== false;
  if (generate && !ctx.state.ready) throw notReady();
  const served = generate
    ? ctx.state.registry.get(params.model ?? conversation.model ?? undefined)
    : undefined;
  if (s.path(conversation.id, parent).length + 1 > ctx.state.limits.maxMessages) {
    throw badRequest(
      `the conversation would have more than ${ctx.state.limits.maxMessages} messages`,
      null,
      'too_many_messages',
    );
  }
  if (!generate) {
    sendJson(ctx.res, 201, { message: s.add(conversation.id, { role, content, parentId: parent }) });
    return;
  }
  // The slot comes first, so a busy server (429) stores nothing.
  const release = await ctx.state.queue.acquire(ctx.signal);
  try {
    const message = s.add(conversation.id, { role, content, parentId: parent, model: served?.id });
    await reply(ctx, conversation.id, message, { ...params, model: served?.id });
  } finally {
    release();
  }
}

/** Generates a new reply beside an assistant message (or after a user message): a new branch. */
async function regenerate(ctx: RequestContext): Promise<void> {
  const s = store(ctx);
  const b = await body(ctx);
  const target = s.message(id(ctx), id(ctx, 1));
  const parentId = target.role === 'assistant' ? target.parent_id : target.id;
  if (parentId === null) throw badRequest('there is no user message to answer', 'message_id');
  const params = parseGenerationParams(b, ctx.state.limits);
  const release = await ctx.state.queue.acquire(ctx.signal);
  try {
    await reply(ctx, target.conversation_id, s.message(target.conversation_id, parentId), {
      ...params,
      model: params.model ?? target.model ?? undefined,
    });
  } finally {
    release();
  }
}

/** Generates the assistant's answer to the branch ending at `after`, stores it and answers the request (the caller holds a slot). */
async function reply(
  ctx: RequestContext,
  conversationId: string,
  after: StoredMessage,
  params: GenerationParams,
): Promise<void> {
  const sse = params.stream ? new SseWriter(ctx.res) : undefined;
  await sse?.send({ type: 'message', message: after });
  const r = await answer(ctx, conversationId, after, params, async (text) => {
    await sse?.send({ type: 'delta', content: text });
  });
  if (r.cancelled) return;
  if (sse) {
    await sse.send({ type: 'reply', message: r.stored });
    sse.done();
  } else sendJson(ctx.res, 201, { message: after, reply: r.stored });
}

/**
 * Generates the assistant's answer to the branch ending at `after` and stores it as a child of `after`,
 * passing the text to `onDelta` as it comes (leading spaces dropped). A reply cut off by the client is
 * stored as `cancelled` if it has any text.
 */
export async function answer(
  ctx: RequestContext,
  conversationId: string,
  after: StoredMessage,
  params: GenerationParams,
  onDelta: (text: string) => Promise<void>,
): Promise<{ stored?: StoredMessage; cancelled: boolean }> {
  const s = store(ctx);
  const served = ctx.state.registry.get(params.model);
  const history = s.path(conversationId, after.id).map((m) => ({ role: m.role, content: m.content }));
  if (history.length > ctx.state.limits.maxMessages)
    throw badRequest(
      `the conversation has more than ${ctx.state.limits.maxMessages} messages`,
      null,
      'too_many_messages',
    );
  const prompt = served.template.render(history);
  const gen = generateChoices(
    served,
    [{ prompt, context: [] }],
    { ...params, n: 1 },
    { ...ctx.state, signal: ctx.signal, started: ctx.started, minTokens: 1 },
  );
  let r = await gen.next();
  let leading = true;
  while (!r.done) {
    const text = leading ? r.value.text.trimStart() : r.value.text;
    if (text) leading = false;
    if (text) await onDelta(text);
    r = await gen.next();
  }
  const outcome = r.value;
  const choice = outcome.choices[0];
  const content = served.template.parseReply(choice?.text ?? '');
  if (outcome.cancelled && !content) return { cancelled: true };
  const stored = s.add(conversationId, {
    role: 'assistant',
    content,
    parentId: after.id,
    model: served.id,
    params: storedParams(params),
    finishReason: outcome.cancelled ? 'cancelled' : choice.finishReason,
    promptTokens: outcome.promptTokens,
    completionTokens: outcome.completionTokens,
  });
  return { stored, cancelled: outcome.cancelled };
}

/** The parameters worth remembering with a reply: the sampling ones by their wire names, and the stops. */
function storedParams(p: GenerationParams): Record<string, unknown> {
  return { ...wireParams(p.sampling), ...(p.stop.length ? { stop: p.stop } : {}) };
}

const C = '/api/conversations';
const ID = '([^/]+)';

/** The chat history routes. */
export const HISTORY_ROUTES: Route[] = [
  { method: 'GET', pattern: new RegExp(`^${C}$`), name: 'conversations', handle: list },
  { method: 'POST', pattern: new RegExp(`^${C}$`), name: 'conversations', handle: create },
  { method: 'GET', pattern: new RegExp(`^${C}/${ID}$`), name: 'conversation', handle: show },
  { method: 'PATCH', pattern: new RegExp(`^${C}/${ID}$`), name: 'conversation', handle: update },
  { method: 'DELETE', pattern: new RegExp(`^${C}/${ID}$`), name: 'conversation', handle: remove },
  {
    method: 'GET',
    pattern: new RegExp(`^${C}/${ID}/export$`),
    name: 'conversation_export',
    handle: exportJson,
  },
  {
    method: 'POST',
    pattern: new RegExp(`^${C}/${ID}/messages$`),
    name: 'conversation_messages',
    handle: addMessage,
  },
  {
    method: 'POST',
    pattern: new RegExp(`^${C}/${ID}/messages/${ID}/regenerate$`),
    name: 'conversation_regenerate',
    needsModels: true,
    handle: regenerate,
  },
];
