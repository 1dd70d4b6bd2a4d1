/**
 * Human feedback routes for the web UI: thumbs on replies, and "Which is better?" — two replies to one
 * user message generated side by side (one model at two seeds, or two models) and the user's choice.
 * What is stored here becomes preference data with `lmkit feedback export`.
 */
import { randomInt } from 'node:crypto';
import type { RequestContext, Route } from '../context.js';
import { badRequest, notReady } from '../errors.js';
import { sendJson } from '../http.js';
import { SseWriter } from '../sse.js';
import type { StoredMessage } from '../store/conversations.js';
import { FeedbackStore, type Choice } from '../store/feedback.js';
import { parseGenerationParams } from '../validate.js';
import { answer, body, store } from './history.js';

const id = (ctx: RequestContext, i = 0) => ctx.params[i];

/** Puts a thumb up (1) or down (−1) on a reply, or takes it off (0 or null). */
async function rate(ctx: RequestContext): Promise<void> {
  const b = await body(ctx);
  const rating = b.rating ?? 0;
  if (rating !== 1 && rating !== -1 && rating !== 0)
    throw badRequest("'rating' must be 1 (thumb up), -1 (thumb down) or 0 (none)", 'rating', 'invalid_value');
  const r = new FeedbackStore(store(ctx)).rate(id(ctx), id(ctx, 1), rating);
  sendJson(ctx.res, 200, { message_id: id(ctx, 1), rating: r?.rating ?? 0 });
}

/** The two models a comparison asks: `models` (one or two ids), else the request's or conversation's model twice. */
function comparedModels(
  b: Record<string, unknown>,
  fallback: string | undefined,
): [string | undefined, string | undefined] {
  const models = b.models ?? undefined;
  if (models === undefined) return [fallback, fallback];
  if (
    !Array.isArray(models) ||
    models.length < 1 ||
    models.length > 2 ||
    !models.every((m) => typeof m === 'string')
  )
    throw badRequest("'models' must be a list of one or two model ids", 'models', 'invalid_type');
  return [models[0] as string, (models[1] ?? models[0]) as string];
}

/**
 * Generates two replies to a user message (given directly or as the parent of one of its replies), stores
 * both as versions of the answer, and opens a comparison; the conversation then waits at the user message
 * until the choice is made. Streams as `{type: 'delta', slot: 0|1}` events when `stream` is set.
 */
async function compare(ctx: RequestContext): Promise<void> {
  const s = store(ctx);
  const b = await body(ctx);
  const conversation = s.get(id(ctx));
  const target = s.message(conversation.id, id(ctx, 1));
  const prompt =
    target.role === 'assistant' && target.parent_id ? s.message(conversation.id, target.parent_id) : target;
  if (prompt.role !== 'user')
    throw badRequest(
      'a comparison answers a user message; pick a user message or one of its replies',
      'message_id',
    );
  const params = parseGenerationParams(b, ctx.state.limits);
  if (!ctx.state.ready) throw notReady();
  const [idA, idB] = comparedModels(b, params.model ?? target.model ?? conversation.model ?? undefined);
  const models = [ctx.state.registry.get(idA).id, ctx.state.registry.get(idB).id];
  const sampling = params.sampling;
  if (models[0] === models[1] && sampling.temperature === 0)
    throw badRequest(
      'one model at temperature 0 gives the same reply twice; raise the temperature or compare two models',
      'temperature',
    );
  // one model at two seeds; two models at the same seed
  const first = sampling.seed ?? randomInt(0, 2 ** 31);
  const seeds = models[0] === models[1] ? [first, first + 1] : [first, first];
  const release = await ctx.state.queue.acquire(ctx.signal);
  try {
    const sse = params.stream ? new SseWriter(ctx.res) : undefined;
    await sse?.send({ type: 'message', message: prompt });
    const replies: StoredMessage[] = [];
    for (let slot = 0; slot < 2; slot++) {
      const r = await answer(
        ctx,
        conversation.id,
        prompt,
        { ...params, model: models[slot], sampling: { ...sampling, seed: seeds[slot] } },
        async (text) => {
          await sse?.send({ type: 'delta', slot, content: text });
        },
      );
      if (r.cancelled || !r.stored) return;
      replies.push(r.stored);
      await sse?.send({ type: 'reply', slot, message: r.stored });
    }
    const comparison = new FeedbackStore(s).compare(conversation.id, prompt, replies[0], replies[1]);
    s.select(conversation.id, prompt.id, { follow: false });
    if (sse) {
      await sse.send({ type: 'comparison', comparison });
      sse.done();
    } else sendJson(ctx.res, 201, { message: prompt, replies, comparison });
  } finally {
    release();
  }
}

/** Records the choice of a comparison (`a`, `b`, `tie` or `both_bad`); the conversation goes on from the chosen reply. */
async function decide(ctx: RequestContext): Promise<void> {
  const b = await body(ctx);
  if (typeof b.choice !== 'string')
    throw badRequest("'choice' must be one of a, b, tie, both_bad", 'choice', 'invalid_type');
  const s = store(ctx);
  const comparison = new FeedbackStore(s).decide(id(ctx), id(ctx, 1), b.choice as Choice);
  sendJson(ctx.res, 200, { comparison, conversation: s.get(id(ctx)) });
}

const C = '/api/conversations';
const ID = '([^/]+)';

/** The feedback routes. */
export const FEEDBACK_ROUTES: Route[] = [
  {
    method: 'POST',
    pattern: new RegExp(`^${C}/${ID}/messages/${ID}/rating$`),
    name: 'conversation_rating',
    handle: rate,
  },
  {
    method: 'POST',
    pattern: new RegExp(`^${C}/${ID}/messages/${ID}/compare$`),
    name: 'conversation_compare',
    needsModels: true,
    handle: compare,
  },
  {
    method: 'POST',
    pattern: new RegExp(`^${C}/${ID}/comparisons/${ID}$`),
    name: 'conversation_comparison',
    handle: decide,
  },
];
