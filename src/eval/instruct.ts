/**
 * Scoring an assistant on held-out conversations: the mean loss of the assistant's tokens (teacher
 * forcing, as SFT trains), and its greedy replies against the references, turn by turn with the
 * reference history before each turn: exact match (after trimming whitespace) and token F1 (SQuAD's
 * overlap measure; tokens are lowercased runs of letters and digits, each Chinese character its own).
 */
import type { ChatMessage } from '../chat/conversation.js';
import { chatTemplateFor } from '../chat/template.js';
import { generateTokens } from '../generate/sample.js';
import type { LanguageModel } from '../lm.js';
import type { GPTModel } from '../models/gpt.js';
import { noGrad, tidy } from '../tensor/tensor.js';
import { chatTokenIds } from '../chat/template.js';
import { LmkitError } from '../errors.js';
import { encodeSFT, padBatch, type SFTExample } from '../train/sft-data.js';

/** Mean assistant-token loss (nats) over conversations that fit the block, and how many tokens and examples. */
export interface AssistantLoss {
  loss: number;
  tokens: number;
  examples: number;
  /** Conversations longer than the block, left out. */
  dropped: number;
}

/** The mean loss of the assistant's tokens (content and `<|end|>`) under `model`, in batches of `batchSize`. */
export function assistantLoss(
  model: GPTModel,
  examples: readonly SFTExample[],
  batchSize = 16,
): AssistantLoss {
  const ids = chatTokenIds(model.tokenizer);
  if (!ids)
    throw new LmkitError('the model has no chat tokens; add them first (lmkit train --objective sft does)');
  const set = encodeSFT(model.tokenizer, model.prefix, examples, model.config.block_size);
  let total = 0;
  for (let i = 0; i < set.examples.length; i += batchSize) {
    const { x, y } = padBatch(set.examples.slice(i, i + batchSize), ids.end);
    total += noGrad(() => tidy(() => model.net.loss(x, y, { reduction: 'sum' }).item()));
  }
  return {
    loss: set.targets ? total / set.targets : NaN,
    tokens: set.targets,
    examples: set.examples.length,
    dropped: set.dropped,
  };
}

/** The model's greedy reply after `history` (it must end with a user message), at most `maxTokens` tokens. */
export function greedyReply(
  model: LanguageModel,
  history: readonly ChatMessage[],
  maxTokens: number,
): string {
  const template = chatTemplateFor(model.tokenizer);
  const prompt = template.render(history);
  const out: number[] = [];
  for (const t of generateTokens(model, prompt, {
    temperature: 0,
    maxTokens,
    stopTokens: template.endOfTurn,
  })) {
    if (template.endOfTurn.includes(t)) break; // the end-of-turn token ends the reply and is not part of it
    out.push(t);
  }
  return template.parseReply(model.tokenizer.decode(out));
}

/** How a model answers: its reply after `history` (ending with a user message), at most `maxTokens` tokens. */
export type ReplyFunction = (
  model: LanguageModel,
  history: readonly ChatMessage[],
  maxTokens: number,
) => string;

/**
 * The greedy reply of a model pretrained on message texts one per line (no chat tokens; the text
 * `bench/sft/texts.ts` writes): the prompt is every message of `history`, each followed by a line break
 * (line breaks inside a message become spaces), and the reply is the next line.
 */
export function lineReply(model: LanguageModel, history: readonly ChatMessage[], maxTokens: number): string {
  if (chatTemplateFor(model.tokenizer).name !== 'lines')
    throw new LmkitError(
      'line replies need a model without chat tokens whose tokenizer encodes a line break as one token',
    );
  return greedyReply(model, history, maxTokens); // the `lines` chat template is exactly this prompt
}

/** Tokens for F1: lowercased runs of letters and digits other than Han, each Han character alone. */
export function answerTokens(text: string): string[] {
  // Han characters are letters too: a run must stop at one, or "3个字" would be a single token
  return text.toLowerCase().match(/\p{Script=Han}|(?:(?!\p{Script=Han})[\p{L}\p{N}])+/gu) ?? [];
}

/** Token F1 between a prediction and a reference (1 when both have no tokens). */
export function tokenF1(prediction: string, reference: string): number {
  const p = answerTokens(prediction);
  const r = answerTokens(reference);
  if (!p.length || !r.length) return p.length === r.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const t of r) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of p) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      common++;
      counts.set(t, c - 1);
    }
  }
  if (!common) return 0;
  const precision = common / p.length;
  const recall = common / r.length;
  return (2 * precision * recall) / (precision + recall);
}

/** One scored assistant turn. */
export interface ScoredTurn {
  task: string;
  history: ChatMessage[];
  reference: string;
  reply: string;
  exact: boolean;
  f1: number;
}

/** Per-task means. */
export interface TaskScore {
  task: string;
  turns: number;
  exact: number;
  f1: number;
}

/** Replies (default: greedy, chat template) to every assistant turn of `examples`, reference history before each, scored. */
export function scoreReplies(
  model: LanguageModel,
  examples: readonly { messages: ChatMessage[]; task?: string }[],
  maxTokens: number,
  reply: ReplyFunction = greedyReply,
): ScoredTurn[] {
  const out: ScoredTurn[] = [];
  for (const e of examples)
    e.messages.forEach((m, i) => {
      if (m.role !== 'assistant') return;
      const history = e.messages.slice(0, i);
      const text = reply(model, history, maxTokens);
      out.push({
        task: e.task ?? 'all',
        history,
        reference: m.content,
        reply: text,
        exact: text.trim() === m.content.trim(),
        f1: tokenF1(text, m.content),
      });
    });
  return out;
}

/** Means of exact match and F1 by task, tasks in first-seen order. */
export function summarizeByTask(turns: readonly ScoredTurn[]): TaskScore[] {
  const by = new Map<string, TaskScore>();
  for (const t of turns) {
    const s = by.get(t.task) ?? { task: t.task, turns: 0, exact: 0, f1: 0 };
    s.turns++;
    s.exact += t.exact ? 1 : 0;
    s.f1 += t.f1;
    by.set(t.task, s);
  }
  return [...by.values()].map((s) => ({ ...s, exact: s.exact / s.turns, f1: s.f1 / s.turns }));
}
