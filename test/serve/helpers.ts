/** A small n-gram model, slow scripted models and a server on 127.0.0.1:0 for the serving tests. */
import { request as httpRequest } from 'node:http';
import OpenAI from 'openai';
import { chatTemplateFor } from '../../src/chat/template.js';
import type { LanguageModel } from '../../src/lm.js';
import { NGramModel } from '../../src/ngram/ngram-model.js';
import { trainNGram } from '../../src/ngram/train.js';
import { createApp, type App, type AppOptions } from '../../src/serve/app.js';
import { servedModel, type ServedModel } from '../../src/serve/models.js';
import { ByteTokenizer, ScriptedModel } from '../generate/fakes.js';

/** Sentences for a tiny model that answers in recognisable words. */
export const SENTENCES = [
  'the jury said that the city was good .',
  'the city said that the jury was bad .',
  'a man said that the dog ran home .',
  'the dog said nothing at all .',
  'the man ran to the city and the jury ran home .',
];

/** A Kneser-Ney trigram trained on {@link SENTENCES}. */
export function tinyModel(id = 'tiny'): ServedModel {
  const { model } = trainNGram(SENTENCES, { order: 3, smoothing: 'kn' });
  return servedModel(id, new NGramModel(model));
}

/**
 * A byte-level model that writes `text` and spends about `msPerToken` on each token; `specials` names
 * extra special tokens (the chat tokens give it the `tokens` chat template).
 */
export function scriptedModel(
  id: string,
  text: string,
  msPerToken = 0,
  specials: string[] = [],
): ServedModel {
  const tok = new ByteTokenizer(specials);
  const inner = new ScriptedModel(tok, tok.encode(text));
  const model: LanguageModel = {
    kind: 'scripted',
    tokenizer: tok,
    contextLength: Infinity,
    start(prompt) {
      const state = inner.start(prompt);
      return {
        logProbs() {
          const until = performance.now() + msPerToken;
          while (performance.now() < until);
          return state.logProbs();
        },
        push: (t) => state.push(t),
      };
    },
  };
  return {
    id,
    model,
    template: chatTemplateFor(tok),
    normalize: (s) => s,
    suppressTokens: [],
    created: 0,
    path: '',
  };
}

/** A running test server with an OpenAI client pointed at it. */
export interface TestServer {
  app: App;
  url: string;
  client: OpenAI;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 at a free port (default: the tiny model and a slow 'slow' model). */
export async function startTestServer(options: Partial<AppOptions> = {}): Promise<TestServer> {
  const app = createApp({
    models: [tinyModel(), scriptedModel('slow', 'x'.repeat(5000), 1)],
    log: () => undefined,
    ...options,
  });
  const { url } = await app.listen(0, '127.0.0.1');
  const client = new OpenAI({
    baseURL: `${url}/v1`,
    apiKey: options.apiKey ?? 'none',
    maxRetries: 0,
    timeout: 10_000,
  });
  return { app, url, client, close: () => app.close() };
}

/** Sends a JSON request to a test server and reads the JSON answer with its status. */
export async function callJson<T>(
  url: string,
  method: string,
  path: string,
  body?: object,
): Promise<{ status: number; json: T }> {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as T };
}

/** A raw HTTP answer: status, headers and the body parsed as JSON (or left as text). */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { error?: { message: string; type: string; param: string | null; code: string | null } } & Record<
    string,
    unknown
  >;
}

/** Sends one request with exactly the headers given (Host and Origin included) and reads the answer. */
export function rawRequest(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = { text };
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed as RawAnswer['body'] });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
