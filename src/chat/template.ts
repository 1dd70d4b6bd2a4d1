/**
 * Chat templates: how a conversation becomes the token ids a model continues, where the model's turn
 * ends, and how its output is read back as a reply.
 *
 * - `tokens`: for tokenizers that have the chat special tokens {@link CHAT_TOKENS} (GPT after SFT).
 *   Each message is `<|role|> content <|end|>`, the prompt ends with `<|assistant|>`, and the reply
 *   ends at `<|end|>` (or end of sequence). {@link parseChat} reads such a sequence back.
 * - `lines`: for models without chat tokens whose tokenizer has a newline token (a GPT or RNN trained on
 *   text, one sentence or paragraph a line). Such a model has never seen a dialogue, so role labels like
 *   "User:" would only be text it never saw. Each message becomes one line, in order, and the prompt ends
 *   with a line break: the reply is the line the model writes next, ended by the next line break. (Ending
 *   the prompt without the break would ask it to continue the user's own line, and after a complete
 *   sentence such a model mostly writes the line break at once: an empty reply.)
 * - `plain`: for models without chat tokens or a newline token (word-level n-gram models). The prompt is
 *   the text of the last user message and the reply is the model's continuation of it up to the end of
 *   the sentence (`</s>`): the n-gram "assistant" just continues your text. Earlier turns are not shown
 *   (an n-gram model sees only its last N − 1 tokens anyway).
 *
 * A conversation may also end in an unfinished assistant message for the model to continue (Hugging
 * Face's `continue_final_message`, a "prefill"): `render(messages, { continueFinal: true })` leaves that
 * message open (no `<|end|>`, no line break), and the model's text continues it as written, so the reply
 * is read verbatim rather than by `parseReply`. A base model's text continuation (Ziegler et al.'s
 * sentiment task) is such a prompt: one assistant message holding the opening words.
 */
import { LmkitError } from '../errors.js';
import type { Tokenizer } from '../tokenizers/tokenizer.js';
import type { ChatMessage, ChatRole } from './conversation.js';

/** The special tokens a tokenizer needs for the `tokens` template. */
export const CHAT_TOKENS = {
  system: '<|system|>',
  user: '<|user|>',
  assistant: '<|assistant|>',
  end: '<|end|>',
} as const;

/** How a conversation is shown to one model. */
export interface ChatTemplate {
  readonly name: 'tokens' | 'lines' | 'plain';
  /**
   * Token ids after which the model writes the assistant's next turn; with `continueFinal` and a last
   * message from the assistant, the ids after which the model continues that message.
   */
  render(messages: readonly ChatMessage[], options?: RenderOptions): number[];
  /** Token ids that end the assistant's turn, besides the tokenizer's end of sequence. */
  readonly endOfTurn: readonly number[];
  /** The reply as stored and shown, from the text the model generated for its turn (leading space dropped). */
  parseReply(generated: string): string;
}

/** Options for {@link ChatTemplate.render}. */
export interface RenderOptions {
  /** Leave a final assistant message open for the model to continue (a prefill). */
  continueFinal?: boolean;
}

/** Whether `render(messages, { continueFinal: true })` leaves the last message open: it is the assistant's. */
export function continuesFinal(messages: readonly ChatMessage[]): boolean {
  return messages.length > 0 && messages[messages.length - 1].role === 'assistant';
}

/** The reply to `prompt` from the model's generated text: verbatim when it continues an open last message, else `parseReply`'s. */
export function replyTo(template: ChatTemplate, prompt: readonly ChatMessage[], generated: string): string {
  return continuesFinal(prompt) ? generated : template.parseReply(generated);
}

/** Options for {@link chatTemplateFor}. */
export interface TemplateOptions {
  /** Prepares user text the way the model's training text was prepared (case, punctuation split). */
  normalize?: (text: string) => string;
}

/** The template for a tokenizer: `tokens` when it has every chat token, else `lines` when it has a newline token, else `plain`. */
export function chatTemplateFor(tokenizer: Tokenizer, options: TemplateOptions = {}): ChatTemplate {
  const ids = chatTokenIds(tokenizer);
  if (ids) return tokenTemplate(tokenizer, ids);
  const normalize = options.normalize ?? ((s: string) => s);
  const newline = tokenizer.encode('\n');
  return newline.length === 1 && tokenizer.decode(newline) === '\n'
    ? linesTemplate(tokenizer, normalize, newline[0])
    : plainTemplate(tokenizer, normalize);
}

interface ChatTokenIds {
  system: number;
  user: number;
  assistant: number;
  end: number;
}

/** The ids of the chat tokens, or undefined when the tokenizer lacks any of them. */
export function chatTokenIds(tokenizer: Tokenizer): ChatTokenIds | undefined {
  const system = tokenizer.tokenToId(CHAT_TOKENS.system);
  const user = tokenizer.tokenToId(CHAT_TOKENS.user);
  const assistant = tokenizer.tokenToId(CHAT_TOKENS.assistant);
  const end = tokenizer.tokenToId(CHAT_TOKENS.end);
  if (system === undefined || user === undefined || assistant === undefined || end === undefined) return;
  return { system, user, assistant, end };
}

function tokenTemplate(tokenizer: Tokenizer, ids: ChatTokenIds): ChatTemplate {
  return {
    name: 'tokens',
    render(messages, options) {
      const open = options?.continueFinal === true && continuesFinal(messages);
      const out: number[] = [];
      for (const m of open ? messages.slice(0, -1) : messages)
        out.push(ids[m.role], ...tokenizer.encode(m.content), ids.end);
      out.push(ids.assistant);
      if (open) out.push(...tokenizer.encode(messages[messages.length - 1].content));
      return out;
    },
    endOfTurn: [ids.end],
    parseReply: (generated) => generated.trimStart(),
  };
}

function linesTemplate(
  tokenizer: Tokenizer,
  normalize: (text: string) => string,
  newline: number,
): ChatTemplate {
  return {
    name: 'lines',
    render(messages, options) {
      const open = options?.continueFinal === true && continuesFinal(messages);
      // one line per message: line breaks inside a message become spaces
      const oneLine = (m: ChatMessage) => m.content.replace(/\s*\n\s*/g, ' ');
      const lines = (open ? messages.slice(0, -1) : messages).map((m) => normalize(oneLine(m).trim()));
      // an open last message is written as it is (a trailing space is part of the prefill)
      const last = open ? normalize(oneLine(messages[messages.length - 1]).trimStart()) : '';
      return tokenizer.encode(lines.map((l) => `${l}\n`).join('') + last);
    },
    endOfTurn: [newline],
    parseReply: (generated) => generated.trim(),
  };
}

function plainTemplate(tokenizer: Tokenizer, normalize: (text: string) => string): ChatTemplate {
  return {
    name: 'plain',
    render(messages, options) {
      if (options?.continueFinal === true && continuesFinal(messages))
        return tokenizer.encode(normalize(messages[messages.length - 1].content));
      const last = [...messages].reverse().find((m) => m.role === 'user');
      return last ? tokenizer.encode(normalize(last.content)) : [];
    },
    endOfTurn: [],
    parseReply: (generated) => generated.trimStart(),
  };
}

/** A whole conversation in the `tokens` template, and which tokens the assistant wrote. */
export interface RenderedConversation {
  /** `<|role|> content <|end|>` for every message, in order. */
  ids: number[];
  /** 1 where the token is an assistant's content or the `<|end|>` closing its turn (what SFT learns), else 0. */
  assistant: Uint8Array;
}

/**
 * Renders complete turns for training: the same tokens `render` gives for these messages, without the
 * trailing `<|assistant|>` prompt. {@link parseChat} reads `ids` back into the messages.
 */
export function renderConversation(
  tokenizer: Tokenizer,
  messages: readonly ChatMessage[],
): RenderedConversation {
  const ids = chatTokenIds(tokenizer);
  if (!ids) throw new LmkitError('this tokenizer has no chat tokens, so it cannot hold a chat');
  const out: number[] = [];
  const mask: number[] = [];
  for (const m of messages) {
    const body = tokenizer.encode(m.content);
    const mine = m.role === 'assistant' ? 1 : 0;
    out.push(ids[m.role], ...body, ids.end);
    mask.push(0, ...body.map(() => mine), mine);
  }
  return { ids: out, assistant: Uint8Array.from(mask) };
}

/**
 * Reads a token sequence written in the `tokens` template back into messages (the inverse of
 * `render` for complete turns); an unfinished last turn is returned as it stands.
 */
export function parseChat(tokenizer: Tokenizer, tokens: readonly number[]): ChatMessage[] {
  const ids = chatTokenIds(tokenizer);
  if (!ids) throw new LmkitError('this tokenizer has no chat tokens, so it cannot hold a chat');
  const roleOf = new Map<number, ChatRole>([
    [ids.system, 'system'],
    [ids.user, 'user'],
    [ids.assistant, 'assistant'],
  ]);
  const messages: ChatMessage[] = [];
  let role: ChatRole | undefined;
  let body: number[] = [];
  const flush = () => {
    if (role) messages.push({ role, content: tokenizer.decode(body) });
    role = undefined;
    body = [];
  };
  for (const t of tokens) {
    const r = roleOf.get(t);
    if (r) {
      flush();
      role = r;
    } else if (t === ids.end) flush();
    else if (role) body.push(t);
  }
  if (role && body.length) flush();
  return messages;
}
