/** The OpenAI-compatible routes: chat completions, text completions (both with SSE streaming) and models. */
import { randomUUID } from 'node:crypto';
import type { RequestContext, Route } from '../context.js';
import { badRequest } from '../errors.js';
import { generateChoices, type ChoiceInput, type GenerationOutcome } from '../generation.js';
import { readJson, sendJson } from '../http.js';
import type { ServedModel } from '../models.js';
import { SseWriter } from '../sse.js';
import { parseChatRequest, parseCompletionRequest, type GenerationParams } from '../validate.js';

/** `POST /v1/chat/completions`. */
async function chatCompletions(ctx: RequestContext): Promise<void> {
  const { state } = ctx;
  const request = parseChatRequest(await readJson(ctx.req, state.limits.maxBodyBytes), state.limits);
  const served = state.registry.generator(request.model);
  const inputs = [{ prompt: served.template.render(request.messages), context: [] }];
  await respond(ctx, served, inputs, request, {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    chunk: (index, delta, role) => ({
      index,
      delta: role ? { role: 'assistant', content: delta } : { content: delta },
      logprobs: null,
      finish_reason: null,
    }),
    finish: (index, reason) => ({ index, delta: {}, logprobs: null, finish_reason: reason }),
    choice: (c) => ({
      index: c.index,
      message: { role: 'assistant', content: served.template.parseReply(c.text), refusal: null },
      logprobs: null,
      finish_reason: c.finishReason,
    }),
    trimStart: true,
    minTokens: 1,
  });
}

/** `POST /v1/completions`. */
async function completions(ctx: RequestContext): Promise<void> {
  const { state } = ctx;
  const request = parseCompletionRequest(await readJson(ctx.req, state.limits.maxBodyBytes), state.limits);
  const served = state.registry.generator(request.model);
  const vocab = served.model.tokenizer.vocabSize;
  const inputs: ChoiceInput[] = request.prompts.map((p) => {
    const ids = typeof p === 'string' ? served.model.tokenizer.encode(served.normalize(p)) : p;
    if (ids.some((t) => t >= vocab))
      throw badRequest(`token ids must be below ${vocab}`, 'prompt', 'invalid_token');
    return { prompt: ids, context: ids };
  });
  await respond(ctx, served, inputs, request, {
    id: `cmpl-${randomUUID()}`,
    object: 'text_completion',
    chunk: (index, text) => ({ index, text, logprobs: null, finish_reason: null }),
    finish: (index, reason) => ({ index, text: '', logprobs: null, finish_reason: reason }),
    choice: (c) => ({ index: c.index, text: c.text, logprobs: null, finish_reason: c.finishReason }),
    trimStart: false,
    minTokens: 0,
  });
}

/** How chat and text completions differ in shape. */
interface Shape {
  id: string;
  object: 'chat.completion' | 'text_completion';
  chunk(index: number, text: string, first: boolean): object;
  finish(index: number, reason: string): object;
  choice(c: GenerationOutcome['choices'][number]): object;
  /** Drop whitespace before a reply's first visible character (chat). */
  trimStart: boolean;
  /** Tokens before end of sequence may end the text (chat: a reply is never empty by choice). */
  minTokens: number;
}

/** Takes a generation slot, then answers as JSON or as an event stream. */
async function respond(
  ctx: RequestContext,
  served: ServedModel,
  inputs: ChoiceInput[],
  params: GenerationParams,
  shape: Shape,
): Promise<void> {
  const release = await ctx.state.queue.acquire(ctx.signal);
  try {
    const created = Math.floor(Date.now() / 1000);
    const head = { id: shape.id, created, model: served.id, system_fingerprint: null };
    const gen = generateChoices(served, inputs, params, {
      ...ctx.state,
      signal: ctx.signal,
      started: ctx.started,
      minTokens: shape.minTokens,
    });
    const usage = (o: GenerationOutcome) => ({
      prompt_tokens: o.promptTokens,
      completion_tokens: o.completionTokens,
      total_tokens: o.promptTokens + o.completionTokens,
    });
    if (!params.stream) {
      let r = await gen.next();
      while (!r.done) r = await gen.next();
      if (r.value.cancelled) return;
      sendJson(ctx.res, 200, {
        ...head,
        object: shape.object,
        choices: r.value.choices.map(shape.choice),
        usage: usage(r.value),
      });
      return;
    }
    const sse = new SseWriter(ctx.res);
    const object = `${shape.object}.chunk`.replace('text_completion.chunk', 'text_completion');
    const extra = params.includeUsage ? { usage: null } : {};
    const send = (choice: object) => sse.send({ ...head, object, choices: [choice], ...extra });
    let pendingStart = true;
    let opened = -1;
    for (;;) {
      const r = await gen.next();
      if (r.done) {
        if (r.value.cancelled) return;
        for (const c of r.value.choices) {
          if (shape.object === 'chat.completion' && c.index > opened)
            await send(shape.chunk(c.index, '', true));
          await send(shape.finish(c.index, c.finishReason));
        }
        if (params.includeUsage) await sse.send({ ...head, object, choices: [], usage: usage(r.value) });
        sse.done();
        return;
      }
      let { text } = r.value;
      if (r.value.first) pendingStart = shape.trimStart;
      if (pendingStart) {
        text = text.trimStart();
        if (text) pendingStart = false;
      }
      if (shape.object === 'chat.completion' && r.value.index > opened) {
        opened = r.value.index;
        await send(shape.chunk(opened, '', true));
      }
      if (text) await send(shape.chunk(r.value.index, text, false));
    }
  } finally {
    release();
  }
}

/** `GET /v1/models`. */
function listModels(ctx: RequestContext): void {
  const { registry } = ctx.state;
  const vectors = registry.listEmbedders().map((e) => ({
    id: e.id,
    object: 'model',
    created: e.created,
    owned_by: 'lmkit',
    kind: e.embedder.kind,
  }));
  sendJson(ctx.res, 200, { object: 'list', data: [...registry.list().map(modelObject), ...vectors] });
}

/** `GET /v1/models/{id}`. */
function getModel(ctx: RequestContext): void {
  const vectors = ctx.state.registry.listEmbedders().find((e) => e.id === ctx.params[0]);
  if (vectors) {
    const { id, created, embedder } = vectors;
    sendJson(ctx.res, 200, { id, object: 'model', created, owned_by: 'lmkit', kind: embedder.kind });
    return;
  }
  sendJson(ctx.res, 200, modelObject(ctx.state.registry.get(ctx.params[0])));
}

function modelObject(m: ServedModel) {
  return { id: m.id, object: 'model', created: m.created, owned_by: 'lmkit', kind: m.model.kind };
}

/** The OpenAI-compatible routes. */
export const OPENAI_ROUTES: Route[] = [
  {
    method: 'POST',
    pattern: /^\/v1\/chat\/completions$/,
    name: 'chat_completions',
    needsModels: true,
    handle: chatCompletions,
  },
  {
    method: 'POST',
    pattern: /^\/v1\/completions$/,
    name: 'completions',
    needsModels: true,
    handle: completions,
  },
  { method: 'GET', pattern: /^\/v1\/models$/, name: 'models', needsModels: true, handle: listModels },
  { method: 'GET', pattern: /^\/v1\/models\/([^/]+)$/, name: 'model', needsModels: true, handle: getModel },
];
