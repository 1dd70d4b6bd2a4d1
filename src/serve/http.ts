/** Small HTTP helpers: read a JSON body within a size cap as strict UTF-8, and answer JSON or errors. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest, tooLarge, unsupportedMediaType } from './errors.js';

/**
 * How much of an oversized body is still read (and discarded) before answering 413, so that a client
 * that is still sending (Node's fetch, the openai client) gets to read the error instead of a reset
 * connection; past these bounds the connection is closed at once.
 */
const DISCARD_BYTES = 64 << 20;
const DISCARD_MS = 10_000;

/**
 * Reads the whole body (at most `maxBytes`) and parses it as JSON; 415 unless it is sent as
 * `application/json` (a browser sends another site's `text/plain` POST without asking first), 400 for
 * bad UTF-8 or JSON, 413 if too big.
 */
export async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = req.headers['content-type'];
  if (!isJsonType(type)) throw unsupportedMediaType(type);
  const discardBytes = Math.max(DISCARD_BYTES, 4 * maxBytes);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > discardBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  const start = Date.now();
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      // too large: keep reading to the end (up to the bounds), keeping nothing, then answer 413
      chunks.length = 0;
      if (size > discardBytes || Date.now() - start > DISCARD_MS) throw tooLarge(maxBytes);
      continue;
    }
    chunks.push(chunk as Buffer);
  }
  if (size > maxBytes) throw tooLarge(maxBytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw badRequest('the request body is not valid UTF-8', null, 'invalid_encoding');
  }
  if (text.trim() === '')
    throw badRequest('the request body is empty; send a JSON object', null, 'invalid_json');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`the request body is not valid JSON: ${(err as Error).message}`, null, 'invalid_json');
  }
}

/** Whether a Content-Type header names JSON: `application/json`, with any parameters (charset). */
export function isJsonType(header: string | undefined): boolean {
  return header !== undefined && /^application\/json\s*(;|$)/i.test(header.trim());
}

/** Sends `body` as JSON with `status`. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Sends an error as an OpenAI error object (500 for anything that is not an ApiError). */
export function sendError(res: ServerResponse, err: unknown): void {
  const api =
    err instanceof ApiError
      ? err
      : new ApiError(500, 'internal server error', 'server_error', 'internal_error');
  if (res.headersSent) {
    res.end();
    return;
  }
  // A body we stopped reading (not JSON, or past the discard bounds) may not have ended: close the connection after answering.
  const headers: Record<string, string> =
    api.status === 413 || api.status === 415 ? { connection: 'close' } : {};
  if (api.status === 429 || api.status === 503) headers['retry-after'] = '1';
  sendJson(res, api.status, api.toJSON(), headers);
}
