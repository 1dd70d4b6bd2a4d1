/**
 * The server as the UI sees it: the chat history routes (/api/conversations…), the model list
 * (/v1/models) and replies streamed as server-sent events. Sends the API key when one is set.
 */
import { SseParser } from './sse.js';

/** A conversation's header, as the server stores it. */
export interface Conversation {
  id: string;
  title: string;
  model: string | null;
  current_leaf_id: string | null;
  created_at: number;
  updated_at: number;
}

/** One message of a conversation's tree. */
export interface Message {
  id: string;
  conversation_id: string;
  parent_id: string | null;
  role: 'system' | 'user' | 'assistant';
  content: string;
  model: string | null;
  params: Record<string, unknown> | null;
  finish_reason: string | null;
  completion_tokens: number | null;
  created_at: number;
}

/** Two replies to one user message shown side by side, and the user's choice (null until made). */
export interface Comparison {
  id: string;
  prompt_id: string;
  a_id: string;
  b_id: string;
  choice: 'a' | 'b' | 'tie' | 'both_bad' | null;
}

/** A conversation with every message, the ids of its current branch, and the feedback given on it. */
export interface ConversationDetail {
  conversation: Conversation;
  messages: Message[];
  current: string[];
  /** Thumbs by message id: 1 up, −1 down. */
  ratings: Record<string, number>;
  comparisons: Comparison[];
}

/** The sampling settings sent with each message. */
export interface Sampling {
  model?: string;
  temperature: number;
  top_p: number;
  max_tokens: number;
}

/**
 * An event of a streamed reply: the message answered, a piece of the reply, or the stored reply; in a
 * comparison each piece and reply names its slot (0: A, 1: B) and the comparison itself comes last.
 */
export type ReplyEvent =
  | { type: 'message'; message: Message }
  | { type: 'delta'; content: string; slot?: number }
  | { type: 'reply'; message: Message; slot?: number }
  | { type: 'comparison'; comparison: Comparison };

/** An error answered by the server (its OpenAI error message), or a network failure (status 0). */
export class ServerError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const KEY_STORAGE = 'lmkit.apiKey';

/** Calls the server. */
export class Api {
  /** The API key (kept in this browser's local storage), or '' for none. */
  get key(): string {
    return localStorage.getItem(KEY_STORAGE) ?? '';
  }

  set key(value: string) {
    if (value) localStorage.setItem(KEY_STORAGE, value);
    else localStorage.removeItem(KEY_STORAGE);
  }

  /** Sends a request and returns the JSON answer; throws ServerError for an error status. */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.fetch(method, path, body);
    return (await r.json()) as T;
  }

  /** The ids of the served models. */
  async models(): Promise<string[]> {
    const r = await this.json<{ data: { id: string }[] }>('GET', '/v1/models');
    return r.data.map((m) => m.id);
  }

  /**
   * Posts to a route that streams a reply (send or regenerate) and calls `onEvent` for each event.
   * Resolves with the stored reply, or undefined when the stream ended without one; rejects with an
   * AbortError when `signal` aborts (the server then stops generating).
   */
  async stream(
    path: string,
    body: object,
    signal: AbortSignal,
    onEvent: (e: ReplyEvent) => void,
  ): Promise<Message | undefined> {
    const r = await this.fetch('POST', path, { ...body, stream: true }, signal);
    if (!r.body) throw new ServerError(0, 'the server sent no reply stream');
    const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new SseParser();
    let reply: Message | undefined;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return reply;
      for (const data of parser.push(value)) {
        if (data === '[DONE]') return reply;
        const event = JSON.parse(data) as ReplyEvent | { error: { message: string } };
        if ('error' in event) throw new ServerError(500, event.error.message);
        if (event.type === 'reply') reply = event.message;
        onEvent(event);
      }
    }
  }

  private async fetch(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.key) headers.authorization = `Bearer ${this.key}`;
    let r: Response;
    try {
      r = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ServerError(0, `cannot reach the server: ${(err as Error).message}`);
    }
    if (!r.ok) {
      let message = `${r.status} ${r.statusText}`;
      try {
        message = ((await r.json()) as { error: { message: string } }).error.message;
      } catch {
        // not an error object: keep the status line
      }
      throw new ServerError(r.status, message);
    }
    return r;
  }
}
