/**
 * Checks the JSON body of a generation request field by field against the limits, and turns it into
 * typed parameters. Unknown fields are ignored; `null` counts as absent, as OpenAI's API does.
 */
import type { ChatMessage, ChatRole } from '../chat/conversation.js';
import { SAMPLING_PARAMS } from '../generate/sampling-params.js';
import type { SamplingOptions } from '../generate/sample.js';
import { badRequest } from './errors.js';
import type { Limits } from './limits.js';

/** What chat and text completions share: the model, choices, streaming, and one sampling struct. */
export interface GenerationParams {
  /** The model id, or undefined for the server's first model. */
  model?: string;
  n: number;
  stream: boolean;
  includeUsage: boolean;
  /** The sampling parameters (generate/sampling-params.ts), max_tokens always set; carried as is to the sampler. */
  sampling: SamplingOptions & { maxTokens: number };
  stop: string[];
}

/** A checked `POST /v1/chat/completions` body. */
export interface ChatRequest extends GenerationParams {
  messages: ChatMessage[];
}

/** A checked `POST /v1/completions` body: one or more prompts, each text or token ids. */
export interface CompletionRequest extends GenerationParams {
  prompts: (string | number[])[];
}

/** Checks a chat completion request. */
export function parseChatRequest(body: unknown, limits: Limits): ChatRequest {
  const f = new Fields(body);
  const raw = f.get('messages');
  if (!Array.isArray(raw))
    throw badRequest("'messages' must be an array of messages", 'messages', 'invalid_type');
  if (raw.length === 0)
    throw badRequest("'messages' must contain at least one message", 'messages', 'empty_array');
  if (raw.length > limits.maxMessages) {
    throw badRequest(
      `too many messages: ${raw.length} > ${limits.maxMessages}`,
      'messages',
      'too_many_messages',
    );
  }
  const messages = raw.map((m, i) => parseMessage(m, `messages[${i}]`, limits));
  const total = messages.reduce((t, m) => t + m.content.length, 0);
  if (total > limits.maxTotalChars) {
    throw badRequest(
      `the messages hold ${total} characters in all, more than the limit of ${limits.maxTotalChars}`,
      'messages',
      'context_too_long',
    );
  }
  return { ...parseGenerationParams(body, limits), messages };
}

/** Checks a text completion request. */
export function parseCompletionRequest(body: unknown, limits: Limits): CompletionRequest {
  const f = new Fields(body);
  const raw = f.get('prompt');
  let prompts: (string | number[])[];
  if (typeof raw === 'string') prompts = [raw];
  else if (Array.isArray(raw) && raw.length > 0 && raw.every((p) => typeof p === 'string')) prompts = raw;
  else if (Array.isArray(raw) && raw.length > 0 && raw.every(isTokenId)) prompts = [raw];
  else if (Array.isArray(raw) && raw.length > 0 && raw.every((p) => Array.isArray(p) && p.every(isTokenId)))
    prompts = raw;
  else
    throw badRequest(
      "'prompt' must be a string, an array of strings, or token ids",
      'prompt',
      raw === undefined ? 'missing_required_parameter' : 'invalid_type',
    );
  const total = prompts.reduce((t, p) => t + p.length, 0);
  if (total > limits.maxTotalChars) {
    throw badRequest(`the prompt is longer than ${limits.maxTotalChars}`, 'prompt', 'context_too_long');
  }
  const params = parseGenerationParams(body, limits);
  if (prompts.length * params.n > limits.maxChoices) {
    throw badRequest(`at most ${limits.maxChoices} prompts × n per request`, 'prompt', 'too_many_choices');
  }
  return { ...params, prompts };
}

/** Checks the sampling and output fields of any generation request body. */
export function parseGenerationParams(body: unknown, limits: Limits): GenerationParams {
  const f = new Fields(body);
  const maxTokens =
    f.integer('max_completion_tokens', 1, limits.maxTokens) ??
    f.integer('max_tokens', 1, limits.maxTokens) ??
    Math.min(limits.defaultMaxTokens, limits.maxTokens);
  const streamOptions = f.object('stream_options');
  const stop = f.get('stop');
  let stops: string[] = [];
  if (typeof stop === 'string') stops = [stop];
  else if (Array.isArray(stop) && stop.every((s) => typeof s === 'string')) stops = stop;
  else if (stop !== undefined)
    throw badRequest("'stop' must be a string or an array of strings", 'stop', 'invalid_type');
  if (stops.length > limits.maxStop)
    throw badRequest(`at most ${limits.maxStop} stop strings`, 'stop', 'too_many_stops');
  if (stops.some((s) => s.length > limits.maxStopChars)) {
    throw badRequest(
      `a stop string is longer than ${limits.maxStopChars} characters`,
      'stop',
      'stop_too_long',
    );
  }
  const sampling: SamplingOptions & { maxTokens: number } = { maxTokens };
  for (const p of SAMPLING_PARAMS) {
    if (p.key === 'maxTokens') continue;
    const max = p.key === 'minTokens' ? maxTokens : p.max;
    const v = p.integer ? f.integer(p.name, p.min, max) : f.number(p.name, p.min, max, p.openMin);
    if (v !== undefined) sampling[p.key] = v;
  }
  return {
    model: f.string('model'),
    n: f.integer('n', 1, limits.maxChoices) ?? 1,
    stream: f.boolean('stream') ?? false,
    includeUsage:
      streamOptions === undefined
        ? false
        : (new Fields(streamOptions, 'stream_options.').boolean('include_usage') ?? false),
    sampling,
    stop: stops,
  };
}

function parseMessage(raw: unknown, where: string, limits: Limits): ChatMessage {
  const f = new Fields(raw, `${where}.`);
  const role = f.get('role');
  const roles: Record<string, ChatRole> = {
    system: 'system',
    developer: 'system',
    user: 'user',
    assistant: 'assistant',
  };
  if (typeof role !== 'string' || !(role in roles)) {
    throw badRequest(
      `${where}.role must be one of system, developer, user, assistant`,
      `${where}.role`,
      'invalid_role',
    );
  }
  const content = messageText(f.get('content'), `${where}.content`);
  if (content.length > limits.maxMessageChars) {
    throw badRequest(
      `${where} has ${content.length} characters, more than the limit of ${limits.maxMessageChars}`,
      `${where}.content`,
      'message_too_long',
    );
  }
  return { role: roles[role], content };
}

/** Message content: a string, or an array of `{type: "text", text}` parts joined together. */
function messageText(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (content === undefined) return '';
  if (Array.isArray(content)) {
    return content
      .map((part) => {
        const p = part as { type?: unknown; text?: unknown };
        if (p?.type !== 'text' || typeof p.text !== 'string') {
          throw badRequest(
            `${param} parts must be {"type": "text", "text": "..."}`,
            param,
            'invalid_content',
          );
        }
        return p.text;
      })
      .join('');
  }
  throw badRequest(`${param} must be a string or an array of text parts`, param, 'invalid_type');
}

function isTokenId(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 0;
}

/** Typed access to the fields of a JSON object, throwing 400 errors that name the field. */
class Fields {
  private readonly o: Record<string, unknown>;

  constructor(
    body: unknown,
    private readonly prefix = '',
  ) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw badRequest(
        prefix ? `${prefix.slice(0, -1)} must be an object` : 'the request body must be a JSON object',
        prefix ? prefix.slice(0, -1) : null,
        'invalid_type',
      );
    }
    this.o = body as Record<string, unknown>;
  }

  get(name: string): unknown {
    const v = this.o[name];
    return v === null ? undefined : v;
  }

  string(name: string): string | undefined {
    const v = this.get(name);
    if (v !== undefined && typeof v !== 'string') throw this.typeError(name, 'a string');
    return v;
  }

  boolean(name: string): boolean | undefined {
    const v = this.get(name);
    if (v !== undefined && typeof v !== 'boolean') throw this.typeError(name, 'true or false');
    return v;
  }

  object(name: string): object | undefined {
    const v = this.get(name);
    if (v !== undefined && (typeof v !== 'object' || Array.isArray(v)))
      throw this.typeError(name, 'an object');
    return v as object | undefined;
  }

  /** A number in [min, max] (or (min, max] when `openMin`). */
  number(name: string, min: number, max: number, openMin = false): number | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.typeError(name, 'a number');
    if ((openMin ? v <= min : v < min) || v > max) {
      throw badRequest(
        `${this.prefix}${name} must be in ${openMin ? '(' : '['}${min}, ${max}] (got ${v})`,
        this.prefix + name,
        'out_of_range',
      );
    }
    return v;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const v = this.number(name, min, max);
    if (v !== undefined && !Number.isInteger(v)) throw this.typeError(name, 'a whole number');
    return v;
  }

  private typeError(name: string, what: string) {
    return badRequest(`${this.prefix}${name} must be ${what}`, this.prefix + name, 'invalid_type');
  }
}
