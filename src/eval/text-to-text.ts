/**
 * Scoring a model that answers its prompt (an encoder–decoder) on held-out input/target pairs (the JSONL of
 * `lmkit data build-t5-tasks`): the first N pairs of each task (file order, so the same ones every run)
 * answered greedily, scored by exact match (after trimming whitespace) and token F1 per task.
 */
import { generateTokens } from '../generate/sample.js';
import type { LanguageModel } from '../lm.js';
import { readTextPairs } from '../train/text-to-text-data.js';
import { tokenF1, type TaskScore } from './instruct.js';

/** One scored pair. */
export interface ScoredPair {
  task: string;
  input: string;
  reference: string;
  answer: string;
  exact: boolean;
  f1: number;
}

/** Per task and over every pair (`turns` counts pairs, as for conversations). */
export interface PairScores {
  tasks: TaskScore[];
  turns: number;
  exact: number;
  f1: number;
  /** The first pair of each task. */
  samples: ScoredPair[];
}

/** The model's greedy answer to input ids, at most `maxTokens` tokens, trimmed. */
export function greedyAnswer(model: LanguageModel, input: number[], maxTokens: number): string {
  const ids = [...generateTokens(model, input, { temperature: 0, maxTokens })];
  return model.tokenizer.decode(ids).trim();
}

/** Greedy answers to the pairs of `path` (at most `perTask` per task), scored. */
export function scorePairFile(
  model: LanguageModel,
  path: string,
  perTask: number,
  maxTokens: number,
): PairScores {
  const taken = new Map<string, number>();
  const scored: ScoredPair[] = [];
  for (const p of readTextPairs(path)) {
    const n = taken.get(p.task) ?? 0;
    taken.set(p.task, n + 1);
    if (n >= perTask) continue;
    const answer = greedyAnswer(model, model.tokenizer.encode(p.input), maxTokens);
    const reference = p.target.trim();
    scored.push({
      task: p.task,
      input: p.input,
      reference,
      answer,
      exact: answer === reference,
      f1: tokenF1(answer, reference),
    });
  }
  const mean = (xs: readonly ScoredPair[], f: (s: ScoredPair) => number) =>
    xs.length ? xs.reduce((s, x) => s + f(x), 0) / xs.length : NaN;
  const tasks = [...taken.keys()].map((task) => {
    const xs = scored.filter((s) => s.task === task);
    return { task, turns: xs.length, exact: mean(xs, (s) => +s.exact), f1: mean(xs, (s) => s.f1) };
  });
  return {
    tasks,
    turns: scored.length,
    exact: mean(scored, (s) => +s.exact),
    f1: mean(scored, (s) => s.f1),
    samples: tasks.map((t) => scored.find((s) => s.task === t.task) as ScoredPair),
  };
}
