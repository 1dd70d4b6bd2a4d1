/**
 * Scoring an assistant on a held-out conversation file (JSONL in TRL's shapes, as `lmkit data
 * build-instruct` writes): the first N conversations of each task (file order, so the same ones every
 * run), every assistant turn answered greedily after the reference history, scored by exact match and
 * token F1 per task (src/eval/instruct.ts).
 */
import { readFileSync } from 'node:fs';
import type { ChatMessage } from '../chat/conversation.js';
import { LmkitError } from '../errors.js';
import type { LanguageModel } from '../lm.js';
import { toConversation } from '../train/sft-data.js';
import { scoreReplies, summarizeByTask, type ScoredTurn, type TaskScore } from './instruct.js';

/** What scoring a conversation file gives: per task and over every scored turn. */
export interface ConversationScores {
  tasks: TaskScore[];
  turns: number;
  exact: number;
  f1: number;
  /** The first scored turns of a few tasks, for a reader to see (unpicked by score). */
  samples: ScoredTurn[];
}

/**
 * Reads a conversation JSONL file, keeping at most `perTask` conversations of each `task` (absent: "all");
 * `byLang` names tasks "task (lang)" where a line has a `lang`, counting each apart.
 */
export function readConversations(
  path: string,
  perTask: number,
  byLang = false,
): { messages: ChatMessage[]; task: string }[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new LmkitError(`cannot read ${path}: ${(err as Error).message}`);
  }
  const taken = new Map<string, number>();
  const out: { messages: ChatMessage[]; task: string }[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new LmkitError(`${path} line ${i + 1} is not JSON`, { hint: 'one conversation per line' });
    }
    const { task, lang } = json as { task?: unknown; lang?: unknown };
    const name = `${typeof task === 'string' ? task : 'all'}${byLang && typeof lang === 'string' ? ` (${lang})` : ''}`;
    const n = taken.get(name) ?? 0;
    taken.set(name, n + 1);
    if (n < perTask) out.push({ messages: toConversation(json, `${path} line ${i + 1}`), task: name });
  });
  if (!out.length) throw new LmkitError(`${path} holds no conversations`);
  return out;
}

/** Greedy replies of `model` to the conversations of `path` (at most `perTask` per task), scored. */
export function scoreConversationFile(
  model: LanguageModel,
  path: string,
  perTask: number,
  maxTokens: number,
): ConversationScores {
  const turns = scoreReplies(model, readConversations(path, perTask), maxTokens);
  const samples: ScoredTurn[] = [];
  for (const t of turns) if (samples.length < 6 && !samples.some((s) => s.task === t.task)) samples.push(t);
  const mean = (f: (t: ScoredTurn) => number) =>
    turns.length ? turns.reduce((s, t) => s + f(t), 0) / turns.length : NaN;
  return {
    tasks: summarizeByTask(turns),
    turns: turns.length,
    exact: mean((t) => (t.exact ? 1 : 0)),
    f1: mean((t) => t.f1),
    samples,
  };
}
