/** `POST /tokenize` and `POST /detokenize` (as vLLM has them): text or a chat to token ids, and back. */
import type { RequestContext, Route } from '../context.js';
import { badRequest } from '../errors.js';
import { readJson, sendJson } from '../http.js';
import { parseChatRequest } from '../validate.js';

/** Body `{model?, prompt}` or `{model?, messages}` → `{tokens, count, max_model_len}`. */
async function tokenize(ctx: RequestContext): Promise<void> {
  const body = (await readJson(ctx.req, ctx.state.limits.maxBodyBytes)) as Record<string, unknown>;
  const served = ctx.state.registry.get(modelField(body));
  let tokens: number[];
  if (body && typeof body === 'object' && 'messages' in body) {
    tokens = served.template.render(parseChatRequest(body, ctx.state.limits).messages);
  } else {
    const prompt = body?.prompt;
    if (typeof prompt !== 'string') throw badRequest("'prompt' must be a string", 'prompt', 'invalid_type');
    if (prompt.length > ctx.state.limits.maxTotalChars)
      throw badRequest(
        `the prompt is longer than ${ctx.state.limits.maxTotalChars}`,
        'prompt',
        'context_too_long',
      );
    tokens = served.model.tokenizer.encode(served.normalize(prompt));
  }
  const context = served.model.contextLength;
  sendJson(ctx.res, 200, {
    tokens,
    count: tokens.length,
    max_model_len: Number.isFinite(context) ? context : null,
    token_strs: tokens.map((t) => served.model.tokenizer.idToToken(t)),
  });
}

/** Body `{model?, tokens}` → `{prompt}`. */
async function detokenize(ctx: RequestContext): Promise<void> {
  const body = (await readJson(ctx.req, ctx.state.limits.maxBodyBytes)) as Record<string, unknown>;
  const served = ctx.state.registry.get(modelField(body));
  const tokens = body?.tokens;
  const vocab = served.model.tokenizer.vocabSize;
  if (!Array.isArray(tokens) || !tokens.every((t) => Number.isInteger(t) && t >= 0 && t < vocab)) {
    throw badRequest(
      `'tokens' must be an array of token ids from 0 to ${vocab - 1}`,
      'tokens',
      'invalid_token',
    );
  }
  sendJson(ctx.res, 200, { prompt: served.model.tokenizer.decode(tokens as number[]) });
}

function modelField(body: Record<string, unknown>): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest('the request body must be a JSON object', null, 'invalid_type');
  const m = body.model ?? undefined;
  if (m !== undefined && typeof m !== 'string')
    throw badRequest("'model' must be a string", 'model', 'invalid_type');
  return m;
}

/** The token routes. */
export const TOKEN_ROUTES: Route[] = [
  { method: 'POST', pattern: /^\/tokenize$/, name: 'tokenize', needsModels: true, handle: tokenize },
  { method: 'POST', pattern: /^\/detokenize$/, name: 'detokenize', needsModels: true, handle: detokenize },
];
