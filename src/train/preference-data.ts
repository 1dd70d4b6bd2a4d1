/**
 * Preference data for the reward model, DPO and PPO: JSONL in TRL's shapes, read into prompts and ranked
 * responses, and rendered as token sequences under the model's chat template.
 *
 * - Pairs `{"prompt", "chosen", "rejected"}` (TRL's explicit-prompt preference shape), or TRL's implicit
 *   prompt `{"chosen": [messages], "rejected": [messages]}`, whose shared leading messages are the prompt.
 * - K-wise rankings `{"prompt", "responses": [...], "ranking": [...]}` (InstructGPT's K = 4..9; here
 *   2..9): `ranking` lists every response index once, best first. Ties are accepted, written as a group:
 *   `[[0, 2], 1]` says 0 and 2 are equally good and both better than 1. Tied responses form no pair.
 * - Prompt-only data for PPO: `{"prompt"}` or `{"messages"}` ending in a user turn.
 * A prompt is a string (one user turn) or a list of messages ending in a user turn; with
 * `"continue_final_message": true` (Hugging Face's name) it may instead end in an assistant message that
 * the responses continue, as written (a base model's text continuation: the opening words of a
 * sentence, and the rest of it as the response). A response is a
 * string or a list holding one assistant message. Other keys (`labeler`, `source`, `license`, `answer`,
 * ...) are kept as `meta`. Every error names the file and line.
 */
import { readFileSync } from 'node:fs';
import type { ChatMessage } from '../chat/conversation.js';
import { chatTemplateFor } from '../chat/template.js';
import { LmkitError } from '../errors.js';
import type { Tokenizer } from '../tokenizers/tokenizer.js';
import { showValue } from '../util/show-value.js';
import { toMessages } from './sft-data.js';

/** The fewest and most responses one ranking may hold. */
export const MIN_K = 2;
export const MAX_K = 9;

/** One prompt with K responses ranked best first, and the JSONL line it came from. */
export interface PreferenceExample {
  line: number;
  /** The conversation so far, ending in a user turn. */
  prompt: ChatMessage[];
  /** The K responses' texts (each one assistant turn). */
  responses: string[];
  /** Groups of response indices, best group first; the responses of one group are tied. */
  ranking: number[][];
  /** The record's other keys (labeler, source, license, ...). */
  meta: Record<string, unknown>;
}

/** One prompt for PPO's rollouts, and the JSONL line it came from. */
export interface PromptExample {
  line: number;
  prompt: ChatMessage[];
  /** The record's other keys (a judge's reference answer, task, ...). */
  meta: Record<string, unknown>;
}

/** Reads a JSONL file of pairs or rankings; errors name the file and line. */
export function readPreferenceFile(path: string): PreferenceExample[] {
  return parsePreferenceJsonl(readDataFile(path, 'preference data'), path);
}

/** Reads a JSONL file of prompts; errors name the file and line. */
export function readPromptFile(path: string): PromptExample[] {
  return parsePromptJsonl(readDataFile(path, 'prompt data'), path);
}

function readDataFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new LmkitError(
      e.code === 'ENOENT' ? `${what} ${path} does not exist` : `cannot read ${path}: ${e.message}`,
    );
  }
}

/** The JSON objects of JSONL text with their line numbers (blank lines skipped); `name` prefixes errors. */
function jsonlObjects(
  text: string,
  name: string,
  shapes: string,
): { line: number; o: Record<string, unknown> }[] {
  const out: { line: number; o: Record<string, unknown> }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (!raw) continue;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (err) {
      throw new LmkitError(`${name} line ${i + 1} is not valid JSON: ${(err as Error).message}`, {
        hint: 'the data is JSONL: one JSON object per line',
      });
    }
    if (!json || typeof json !== 'object' || Array.isArray(json))
      throw new LmkitError(`${name} line ${i + 1}: expected a JSON object with ${shapes}`);
    out.push({ line: i + 1, o: json as Record<string, unknown> });
  }
  if (!out.length) throw new LmkitError(`${name} holds no examples`);
  return out;
}

const PAIR_KEYS = ['prompt', 'chosen', 'rejected', 'responses', 'ranking'];

/** The record key that lets a prompt end in an assistant message the responses continue. */
export const CONTINUE_FINAL = 'continue_final_message';

/** Whether a record asks for its prompt's last (assistant) message to be continued. */
function continueFinalOf(o: Record<string, unknown>, where: string): boolean {
  const v = o[CONTINUE_FINAL];
  if (v === undefined || typeof v === 'boolean') return v === true;
  throw new LmkitError(`${where}: "${CONTINUE_FINAL}" must be true or false (got ${showValue(v)})`);
}
const PREFERENCE_SHAPES = '"prompt", "chosen" and "rejected", or "prompt", "responses" and "ranking"';

/** Parses pairs and rankings (see the module comment); `name` prefixes error messages. */
export function parsePreferenceJsonl(text: string, name: string): PreferenceExample[] {
  return jsonlObjects(text, name, PREFERENCE_SHAPES).map(({ line, o }) => {
    const where = `${name} line ${line}`;
    const meta = Object.fromEntries(Object.entries(o).filter(([k]) => !PAIR_KEYS.includes(k)));
    const open = continueFinalOf(o, where);
    if ('responses' in o || 'ranking' in o) {
      if (!('prompt' in o) || !('responses' in o) || !('ranking' in o))
        throw new LmkitError(`${where}: a ranking needs "prompt", "responses" and "ranking"`);
      if (!Array.isArray(o.responses))
        throw new LmkitError(`${where}: "responses" must be a list of responses`);
      const K = o.responses.length;
      if (K < MIN_K || K > MAX_K)
        throw new LmkitError(`${where}: a ranking needs ${MIN_K} to ${MAX_K} responses, not ${K}`, {
          hint:
            K < MIN_K
              ? 'a single response has nothing to be compared with'
              : 'split it into smaller rankings',
        });
      const responses = o.responses.map((r, j) => toResponse(r, where, `responses[${j}]`));
      return {
        line,
        prompt: toPrompt(o.prompt, where, 'prompt', open),
        responses,
        ranking: toRanking(o.ranking, K, where),
        meta,
      };
    }
    if ('chosen' in o && 'rejected' in o) {
      let prompt: ChatMessage[];
      let chosen: unknown = o.chosen;
      let rejected: unknown = o.rejected;
      if ('prompt' in o) prompt = toPrompt(o.prompt, where, 'prompt', open);
      else {
        // TRL's implicit prompt: both conversations begin with the same messages
        const c = toMessages(o.chosen, where, 'chosen');
        const r = toMessages(o.rejected, where, 'rejected');
        let n = 0;
        while (
          n < c.length - 1 &&
          n < r.length - 1 &&
          c[n].role === r[n].role &&
          c[n].content === r[n].content
        )
          n++;
        prompt = checkPrompt(c.slice(0, n), where, 'the shared start of "chosen" and "rejected"');
        chosen = c.slice(n);
        rejected = r.slice(n);
      }
      const responses = [toResponse(chosen, where, 'chosen'), toResponse(rejected, where, 'rejected')];
      return { line, prompt, responses, ranking: [[0], [1]], meta };
    }
    throw new LmkitError(`${where}: expected ${PREFERENCE_SHAPES} (TRL's shapes)`, {
      hint: `its keys are ${Object.keys(o).join(', ') || 'none'}`,
    });
  });
}

/** Parses prompts (`{"prompt"}` or `{"messages"}` ending in a user turn); `name` prefixes error messages. */
export function parsePromptJsonl(text: string, name: string): PromptExample[] {
  return jsonlObjects(text, name, '"prompt" or "messages"').map(({ line, o }) => {
    const where = `${name} line ${line}`;
    const key = 'prompt' in o ? 'prompt' : 'messages' in o ? 'messages' : null;
    if (key === null)
      throw new LmkitError(`${where}: expected "prompt" or "messages" ending in a user turn`, {
        hint: `its keys are ${Object.keys(o).join(', ') || 'none'}`,
      });
    const meta = Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
    return { line, prompt: toPrompt(o[key], where, key, continueFinalOf(o, where)), meta };
  });
}

/**
 * A prompt: a string (one user turn) or messages ending in a user turn; with `open`, messages ending in
 * the assistant message the responses continue.
 */
function toPrompt(v: unknown, where: string, key: string, open = false): ChatMessage[] {
  if (typeof v === 'string') {
    if (!v.trim()) throw new LmkitError(`${where}: "${key}" is empty`);
    return checkPrompt([{ role: 'user', content: v }], where, `"${key}"`, open);
  }
  return checkPrompt(toMessages(v, where, key), where, `"${key}"`, open);
}

function checkPrompt(messages: ChatMessage[], where: string, what: string, open = false): ChatMessage[] {
  if (!messages.length) throw new LmkitError(`${where}: ${what} has no messages`);
  const last = messages[messages.length - 1];
  if (open && last.role !== 'assistant')
    throw new LmkitError(
      `${where}: with "${CONTINUE_FINAL}": true, ${what} must end in the assistant message to continue (it ends in a ${last.role} turn)`,
    );
  if (!open && last.role !== 'user')
    throw new LmkitError(`${where}: ${what} must end in a user turn (it ends in a ${last.role} turn)`, {
      hint:
        last.role === 'assistant'
          ? `the responses answer the last user message; add "${CONTINUE_FINAL}": true to have them continue the assistant's`
          : 'the responses answer the last user message',
    });
  return messages;
}

/** A response's text: a string, or a list of exactly one assistant message; never empty. */
function toResponse(v: unknown, where: string, key: string): string {
  let text: string;
  if (typeof v === 'string') text = v;
  else {
    const messages = toMessages(v, where, key);
    if (messages.length !== 1 || messages[0].role !== 'assistant')
      throw new LmkitError(`${where}: "${key}" must be a string or a list of one assistant message`, {
        hint: `it holds ${messages.map((m) => m.role).join(', ') || 'no messages'}`,
      });
    text = messages[0].content;
  }
  if (!text.trim()) throw new LmkitError(`${where}: "${key}" is an empty response`);
  return text;
}

/**
 * The ranking as groups best first: each entry an index or a list of tied indices; every index of
 * 0 … K−1 exactly once, and at least two groups (else nothing is preferred to anything).
 */
function toRanking(v: unknown, K: number, where: string): number[][] {
  if (!Array.isArray(v))
    throw new LmkitError(`${where}: "ranking" must be a list of response indices, best first`, {
      hint: 'e.g. [2, 0, 1], or [[0, 2], 1] when 0 and 2 tie',
    });
  const seen = new Set<number>();
  const groups = v.map((entry) => {
    const group = Array.isArray(entry) ? entry : [entry];
    if (!group.length) throw new LmkitError(`${where}: "ranking" holds an empty group []`);
    return group.map((j) => {
      if (typeof j !== 'number' || !Number.isInteger(j) || j < 0 || j >= K)
        throw new LmkitError(`${where}: "ranking" holds ${showValue(j)}, not a response index 0 … ${K - 1}`);
      if (seen.has(j)) throw new LmkitError(`${where}: "ranking" lists response ${j} twice`);
      seen.add(j);
      return j;
    });
  });
  const missing = [...Array(K).keys()].filter((j) => !seen.has(j));
  if (missing.length)
    throw new LmkitError(`${where}: "ranking" leaves out response ${missing.join(', ')} of ${K}`, {
      hint: 'rank every response (ties as a group, e.g. [[0, 2], 1])',
    });
  if (groups.length < 2)
    throw new LmkitError(`${where}: "ranking" ties every response, so nothing is preferred`);
  return groups;
}

/** Every (better, worse) pair of a ranking's groups: C(K, 2) pairs when nothing ties. */
export function rankingPairs(ranking: readonly (readonly number[])[]): [number, number][] {
  const out: [number, number][] = [];
  for (let a = 0; a < ranking.length; a++)
    for (let b = a + 1; b < ranking.length; b++)
      for (const w of ranking[a]) for (const l of ranking[b]) out.push([w, l]);
  return out;
}

/** A prompt and response as model input: the tokens and where the response begins. */
export interface EncodedResponse {
  /** prefix + prompt (chat template) + response + end of turn. */
  ids: Int32Array;
  /** The index in `ids` of the response's first token (the last prompt token is ids[start − 1]). */
  start: number;
}

/** A ranking as model inputs: its responses that fit the block, and the ranking over them. */
export interface EncodedPreference {
  line: number;
  responses: EncodedResponse[];
  /** (better, worse) pairs of indices into `responses`. */
  pairs: [number, number][];
}

/** Encoded rankings, and how many responses and whole rankings did not fit the block. */
export interface EncodedPreferences {
  examples: EncodedPreference[];
  droppedResponses: number;
  droppedRankings: number;
}

/**
 * The token ids of a prompt under the tokenizer's chat template (`tokens`: `<|user|> … <|end|>
 * <|assistant|>`, else one line per message; a final assistant message left open to continue), after
 * the model's start tokens `prefix`, and the tokens that end the assistant's turn.
 */
export function encodePrompt(
  tokenizer: Tokenizer,
  prefix: readonly number[],
  prompt: readonly ChatMessage[],
): { ids: number[]; endOfTurn: number | undefined } {
  const template = chatTemplateFor(tokenizer);
  return {
    ids: [...prefix, ...template.render(prompt, { continueFinal: true })],
    endOfTurn: template.endOfTurn[0] ?? tokenizer.special.eos,
  };
}

/**
 * Renders each ranking's responses after their prompt; a response that makes the sequence longer than
 * `blockSize` tokens is dropped (and its pairs), a ranking left with no pair is dropped. A prompt that by
 * itself leaves no room for a response is an error naming `name` and the line.
 */
export function encodePreferences(
  tokenizer: Tokenizer,
  prefix: readonly number[],
  examples: readonly PreferenceExample[],
  blockSize: number,
  name: string,
): EncodedPreferences {
  const out: EncodedPreference[] = [];
  let droppedResponses = 0;
  let droppedRankings = 0;
  for (const e of examples) {
    const { ids: prompt, endOfTurn } = encodePrompt(tokenizer, prefix, e.prompt);
    checkPromptFits(prompt.length, blockSize, `${name} line ${e.line}`);
    const kept = new Map<number, number>();
    const responses: EncodedResponse[] = [];
    e.responses.forEach((text, j) => {
      const ids = [...prompt, ...tokenizer.encode(text), ...(endOfTurn === undefined ? [] : [endOfTurn])];
      if (ids.length > blockSize) {
        droppedResponses++;
        return;
      }
      kept.set(j, responses.length);
      responses.push({ ids: Int32Array.from(ids), start: prompt.length });
    });
    const pairs = rankingPairs(e.ranking)
      .filter(([w, l]) => kept.has(w) && kept.has(l))
      .map(([w, l]) => [kept.get(w), kept.get(l)] as [number, number]);
    if (!pairs.length) {
      droppedRankings++;
      continue;
    }
    out.push({ line: e.line, responses, pairs });
  }
  return { examples: out, droppedResponses, droppedRankings };
}

/** Throws unless a prompt of `length` tokens leaves room for a response within `blockSize`. */
export function checkPromptFits(length: number, blockSize: number, where: string): void {
  if (length >= blockSize)
    throw new LmkitError(
      `${where}: the prompt is ${length} tokens, leaving no room for a response in the model's context of ${blockSize}`,
      { hint: 'shorten the prompt, or use a model with a larger block_size' },
    );
}

/**
 * The error for a split with no ranking to train or validate on: an empty split (too little data for the
 * held-out tenth) says so; otherwise every ranking was too long for the context.
 */
export function noRankingsError(count: number, what: string, name: string, blockSize: number): LmkitError {
  if (count === 0)
    return new LmkitError(`the ${what} split of ${name} has no rankings`, {
      hint:
        what === 'validation'
          ? 'every 10th prompt validates: give more data, or a held-out file with --valid FILE'
          : 'give a preference file with more lines',
    });
  return new LmkitError(`none of the ${count} ${what} rankings fits block_size ${blockSize}`, {
    hint: 'use shorter responses, or a model with a larger block_size',
  });
}
