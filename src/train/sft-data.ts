/**
 * Supervised fine-tuning data: JSONL in TRL's two shapes, read into conversations, rendered in the chat
 * template with a loss mask, and drawn as padded batches.
 *
 * - `{"messages": [{"role", "content"}, ...]}`: a conversation (roles system, user, assistant).
 * - `{"prompt": ..., "completion": ...}`: strings (a user turn and the assistant's reply) or message
 *   lists (a conversational prompt and its completion), joined in that order.
 * Other keys (`source`, `license`, ...) are ignored. Every assistant turn is learned (multi-turn).
 *
 * Labels: position i of an example predicts token i + 1; its target is that token when the assistant
 * wrote it (its content or the `<|end|>` closing its turn) and {@link IGNORE_INDEX} otherwise, so system
 * and user text, role markers and padding carry no loss. Examples are padded, not packed: each batch
 * row holds one example from its start, padded after its end to the longest row of the batch, so no
 * example ever attends to another. An example longer than block_size + 1 tokens is dropped (and counted).
 */
import { readFileSync } from 'node:fs';
import { renderConversation } from '../chat/template.js';
import { isChatRole, type ChatMessage } from '../chat/conversation.js';
import { LmkitError } from '../errors.js';
import type { Rng } from '../util/rng.js';
import { IntTensor } from '../tensor/tensor.js';
import type { Tokenizer } from '../tokenizers/tokenizer.js';
import type { Batch } from './batches.js';
import { showValue } from '../util/show-value.js';

/** Targets equal to this carry no loss (crossEntropy's default ignore index, as PyTorch's). */
export const IGNORE_INDEX = -100;

/** One training conversation and the JSONL line it came from. */
export interface SFTExample {
  line: number;
  messages: ChatMessage[];
}

/** Reads a JSONL file of conversations; errors name the file and line. */
export function readSFTFile(path: string): SFTExample[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new LmkitError(
      e.code === 'ENOENT' ? `SFT data ${path} does not exist` : `cannot read ${path}: ${e.message}`,
    );
  }
  return parseSFTJsonl(text, path);
}

/** Parses JSONL text (blank lines skipped) into conversations; `name` prefixes error messages. */
export function parseSFTJsonl(text: string, name: string): SFTExample[] {
  const out: SFTExample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (!raw) continue;
    const where = `${name} line ${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (err) {
      throw new LmkitError(`${where} is not valid JSON: ${(err as Error).message}`, {
        hint: 'SFT data is JSONL: one JSON object per line',
      });
    }
    out.push({ line: i + 1, messages: toConversation(json, where) });
  }
  if (!out.length) throw new LmkitError(`${name} holds no examples`);
  return out;
}

/** The messages of one JSONL record, checked. */
export function toConversation(json: unknown, where: string): ChatMessage[] {
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new LmkitError(`${where}: expected a JSON object with "messages" or "prompt" and "completion"`);
  const o = json as Record<string, unknown>;
  let messages: ChatMessage[];
  if ('messages' in o) messages = toMessages(o.messages, where, 'messages');
  else if ('prompt' in o && 'completion' in o)
    messages = [
      ...toTurns(o.prompt, where, 'prompt', 'user'),
      ...toTurns(o.completion, where, 'completion', 'assistant'),
    ];
  else
    throw new LmkitError(`${where}: expected "messages", or "prompt" and "completion" (TRL's shapes)`, {
      hint: `its keys are ${Object.keys(o).join(', ') || 'none'}`,
    });
  if (!messages.length) throw new LmkitError(`${where}: the conversation is empty`);
  if (!messages.some((m) => m.role === 'assistant'))
    throw new LmkitError(`${where}: the conversation has no assistant message to learn from`);
  return messages;
}

function toTurns(v: unknown, where: string, key: string, role: 'user' | 'assistant'): ChatMessage[] {
  if (typeof v === 'string') return [{ role, content: v }];
  return toMessages(v, where, key);
}

/** A list of {role, content} messages, checked; errors name `where` and the key. */
export function toMessages(v: unknown, where: string, key: string): ChatMessage[] {
  if (!Array.isArray(v))
    throw new LmkitError(`${where}: "${key}" must be a list of {"role", "content"} messages`);
  return v.map((m, j) => {
    const at = `${where}: ${key}[${j}]`;
    if (!m || typeof m !== 'object') throw new LmkitError(`${at} is not a {"role", "content"} object`);
    const { role, content } = m as { role?: unknown; content?: unknown };
    if (!isChatRole(role))
      throw new LmkitError(`${at} has unknown role ${showValue(role ?? null)}`, {
        hint: 'roles are system, user and assistant',
      });
    if (typeof content !== 'string') throw new LmkitError(`${at}: "content" must be a string`);
    return { role, content };
  });
}

/** An example as model inputs and targets: x = tokens[0..n−2], y = masked tokens[1..n−1]. */
export interface EncodedExample {
  x: Int32Array;
  y: Int32Array;
}

/** Encoded examples and how many were too long for the block. */
export interface EncodedSet {
  examples: EncodedExample[];
  dropped: number;
  /** Targets that carry loss, over all kept examples. */
  targets: number;
}

/**
 * Renders conversations after the model's start tokens `prefix` (what precedes a prompt at inference)
 * and drops those longer than blockSize + 1 tokens.
 */
export function encodeSFT(
  tokenizer: Tokenizer,
  prefix: readonly number[],
  examples: readonly SFTExample[],
  blockSize: number,
): EncodedSet {
  const out: EncodedExample[] = [];
  let dropped = 0;
  let targets = 0;
  for (const e of examples) {
    const { ids, assistant } = renderConversation(tokenizer, e.messages);
    const tokens = [...prefix, ...ids];
    if (tokens.length > blockSize + 1) {
      dropped++;
      continue;
    }
    const n = tokens.length - 1;
    const x = Int32Array.from(tokens.slice(0, n));
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const learned = assistant[i + 1 - prefix.length] === 1; // token i + 1 is ids[i + 1 − prefix]
      y[i] = learned ? tokens[i + 1] : IGNORE_INDEX;
      if (learned) targets++;
    }
    out.push({ x, y });
  }
  return { examples: out, dropped, targets };
}

/** Pads examples into one batch (B, T) with T the longest; padding is `padId` in x and ignored in y. */
export function padBatch(examples: readonly EncodedExample[], padId: number): Batch {
  const B = examples.length;
  const T = Math.max(...examples.map((e) => e.x.length));
  const x = new Int32Array(B * T).fill(padId);
  const y = new Int32Array(B * T).fill(IGNORE_INDEX);
  examples.forEach((e, b) => {
    x.set(e.x, b * T);
    y.set(e.y, b * T);
  });
  return { x: new IntTensor(x, [B, T]), y: new IntTensor(y, [B, T]) };
}

/** `batchSize` examples drawn uniformly at random (with replacement), padded. */
export function randomSFTBatch(
  examples: readonly EncodedExample[],
  batchSize: number,
  padId: number,
  rng: Rng,
): Batch {
  const picked: EncodedExample[] = [];
  for (let b = 0; b < batchSize; b++) picked.push(examples[rng.int(examples.length)]);
  return padBatch(picked, padId);
}

/**
 * `batchSize` examples of similar length (Hugging Face's group_by_length): examples sorted by length are
 * cut into buckets of `bucketSize`; a bucket is chosen with probability proportional to its size, then
 * examples uniformly within it, so each example is as likely to be drawn as with {@link randomSFTBatch}.
 */
export function lengthGroupedBatch(
  sorted: readonly EncodedExample[],
  batchSize: number,
  padId: number,
  rng: Rng,
  bucketSize = batchSize * 8,
): Batch {
  const start = Math.floor(rng.int(sorted.length) / bucketSize) * bucketSize;
  const size = Math.min(bucketSize, sorted.length - start);
  const picked: EncodedExample[] = [];
  for (let b = 0; b < batchSize; b++) picked.push(sorted[start + rng.int(size)]);
  return padBatch(picked, padId);
}

/** Examples sorted by length (stable), for {@link lengthGroupedBatch}. */
export function sortByLength(examples: readonly EncodedExample[]): EncodedExample[] {
  return [...examples].sort((a, b) => a.x.length - b.x.length);
}

/** Splits examples for validation: the 10th, 20th, ... (index % 10 == 9) validate, the rest train. */
export function splitSFT<T>(examples: readonly T[]): { train: T[]; valid: T[] } {
  return {
    train: examples.filter((_, i) => i % 10 !== 9),
    valid: examples.filter((_, i) => i % 10 === 9),
  };
}
