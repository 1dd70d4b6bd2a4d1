/**
 * `POST /v1/embeddings` in OpenAI's shape: `input` a string or a list of strings, `model`,
 * `encoding_format` float (arrays of numbers) or base64 (little-endian float32 bytes, what the official
 * client asks for by default), `dimensions` refused unless it is the model's own, `usage` counting the
 * tokens read (and, for word vectors, the words without a vector that were skipped).
 */
import type { RequestContext, Route } from '../context.js';
import { badRequest } from '../errors.js';
import { readJson, sendJson } from '../http.js';

/** Most texts in one request (OpenAI's limit). */
const MAX_INPUTS = 2048;

/** A checked embeddings request. */
interface EmbeddingsRequest {
  model?: string;
  inputs: string[];
  base64: boolean;
  dimensions?: number;
}

/** Checks the body, naming the field at fault. */
function parseEmbeddingsRequest(body: unknown): EmbeddingsRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest('the request body must be a JSON object', null, 'invalid_body');
  const b = body as Record<string, unknown>;
  if (b.model !== undefined && typeof b.model !== 'string')
    throw badRequest('model must be a string', 'model', 'invalid_type');
  const input = b.input;
  let inputs: string[];
  if (typeof input === 'string') inputs = [input];
  else if (Array.isArray(input) && input.every((x) => typeof x === 'string')) inputs = input as string[];
  else if (
    Array.isArray(input) &&
    input.length &&
    input.every((x) => typeof x === 'number' || Array.isArray(x))
  )
    throw badRequest('input as token ids is not supported here; send the text', 'input', 'invalid_type');
  else throw badRequest('input must be a string or an array of strings', 'input', 'invalid_type');
  if (!inputs.length) throw badRequest('input must not be an empty array', 'input', 'invalid_value');
  if (inputs.length > MAX_INPUTS)
    throw badRequest(
      `input may hold at most ${MAX_INPUTS} texts (got ${inputs.length})`,
      'input',
      'too_many',
    );
  const empty = inputs.findIndex((s) => !s.trim());
  if (empty >= 0)
    throw badRequest(`input[${empty}] is empty; every input must hold some text`, 'input', 'invalid_value');
  const format = b.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64')
    throw badRequest("encoding_format must be 'float' or 'base64'", 'encoding_format', 'invalid_value');
  if (b.dimensions !== undefined && (!Number.isInteger(b.dimensions) || (b.dimensions as number) < 1))
    throw badRequest('dimensions must be a whole number ≥ 1', 'dimensions', 'invalid_value');
  return {
    model: b.model as string | undefined,
    inputs,
    base64: format === 'base64',
    dimensions: b.dimensions as number | undefined,
  };
}

/** `POST /v1/embeddings`. */
async function embeddings(ctx: RequestContext): Promise<void> {
  const { state } = ctx;
  const request = parseEmbeddingsRequest(await readJson(ctx.req, state.limits.maxBodyBytes));
  const { id, embedder } = state.registry.embedder(request.model);
  if (request.dimensions !== undefined && request.dimensions !== embedder.dim)
    throw badRequest(
      `the model '${id}' has ${embedder.dim} dimensions and cannot shorten them; leave dimensions out`,
      'dimensions',
      'unsupported_value',
    );
  const release = await state.queue.acquire(ctx.signal);
  try {
    let tokens = 0;
    let skipped = 0;
    const data = request.inputs.map((text, index) => {
      const e = embedder.embed(text);
      tokens += e.tokens;
      skipped += e.skipped;
      const embedding = request.base64
        ? Buffer.from(e.vector.buffer, e.vector.byteOffset, e.vector.byteLength).toString('base64')
        : Array.from(e.vector);
      return { object: 'embedding', index, embedding };
    });
    sendJson(ctx.res, 200, {
      object: 'list',
      data,
      model: id,
      usage: { prompt_tokens: tokens, total_tokens: tokens, skipped_tokens: skipped },
    });
  } finally {
    release();
  }
}

/** The embeddings route. */
export const EMBEDDING_ROUTES: Route[] = [
  {
    method: 'POST',
    pattern: /^\/v1\/embeddings$/,
    name: 'embeddings',
    needsModels: true,
    handle: embeddings,
  },
];
