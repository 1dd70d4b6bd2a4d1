/**
 * In-context learning (Brown et al., 2020, "Language Models are Few-Shot Learners"): a language model is
 * given k solved examples of a task in its prompt, then the question, with no weight updated. Here the
 * examples are earlier turns of the conversation: k training conversations of the same task (drawn by a
 * seed, the same for every model) come before the test conversation, rendered by the model's own chat
 * template (chat tokens after SFT, one message per line for a model pretrained on message texts).
 *
 * Generation tasks (the synthetic conversations of `lmkit data build-instruct`) are answered greedily and
 * scored by exact match and token F1 (eval/instruct.ts). Classification (a labelled set such as `spam`)
 * asks "TEXT" with an instruction and ranks the labels by the mean log-probability per token of each label
 * as the reply (its tokens and the end of the turn), as GPT-3 scores multiple choice: accuracy.
 *
 * The context window bounds k: when the prompt and the answer do not fit block_size, the oldest examples
 * are dropped until they do (counted in `cut`); a question that does not fit even alone is counted in
 * `over` and its prompt is cut from the left by the model as it decodes.
 */
import type { ChatMessage } from '../chat/conversation.js';
import { chatTemplateFor } from '../chat/template.js';
import { generateTokens } from '../generate/sample.js';
import type { LanguageModel } from '../lm.js';
import { scoreWith } from '../lm.js';
import { Rng } from '../util/rng.js';
import { classificationScores } from './classification.js';
import { tokenF1 } from './instruct.js';

/** A conversation of a task (the shape `readConversations` gives). */
export interface TaskConversation {
  messages: ChatMessage[];
  task: string;
}

/** A labelled text. */
export interface LabelledText {
  text: string;
  label: string;
}

/** How many examples went into prompts and how many had to be dropped. */
export interface ShotCounts {
  /** Examples asked for per prompt. */
  shots: number;
  /** Mean examples that fitted per prompt. */
  mean_shots: number;
  /** Prompts that held fewer examples than asked (the window was full). */
  cut: number;
  /** Prompts whose question alone did not fit the window. */
  over: number;
}

/** A generation task's figures. */
export interface TaskResult extends ShotCounts {
  task: string;
  turns: number;
  exact: number;
  f1: number;
}

/** A classification task's figures. */
export interface ClassifyResult extends ShotCounts {
  task: string;
  examples: number;
  accuracy: number;
  macro_f1: number;
  /** How often each label was chosen. */
  predicted: Record<string, number>;
}

/** The instruction a classification prompt starts with, then the text. */
export function classifyQuestion(labels: readonly string[], text: string): string {
  return `Is this message ${labels.join(' or ')}? ${text}`;
}

/** k items of `pool` drawn by `rng` without replacement (fewer when the pool is smaller). */
function draw<T>(pool: readonly T[], k: number, rng: Rng): T[] {
  const order = pool.map((_, i) => i);
  const n = Math.min(k, pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(order.length - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, n).map((i) => pool[i]);
}

/**
 * The prompt tokens of `history` after as many of `examples` (in order, most recent last) as fit with
 * `answer` more tokens in the model's window; how many fitted.
 */
function fitPrompt(
  model: LanguageModel,
  system: ChatMessage[],
  examples: ChatMessage[][],
  history: ChatMessage[],
  answer: number,
): { tokens: number[]; used: number; fits: boolean } {
  const template = chatTemplateFor(model.tokenizer);
  for (let drop = 0; ; drop++) {
    const kept = examples.slice(drop);
    const tokens = template.render([...system, ...kept.flat(), ...history]);
    const fits = tokens.length + answer <= model.contextLength;
    if (fits || drop === examples.length) return { tokens, used: kept.length, fits };
  }
}

/** Running shot counts. */
class Counts {
  prompts = 0;
  used = 0;
  cut = 0;
  over = 0;
  constructor(readonly shots: number) {}
  add(used: number, fits: boolean) {
    this.prompts++;
    this.used += used;
    if (used < this.shots) this.cut++;
    if (!fits) this.over++;
  }
  get result(): ShotCounts {
    return {
      shots: this.shots,
      mean_shots: this.prompts ? this.used / this.prompts : 0,
      cut: this.cut,
      over: this.over,
    };
  }
}

/**
 * Greedy answers to every assistant turn of `tests` (reference history before it) after `shots` training
 * conversations of the same task; exact match and F1 per task, tasks in first-seen order.
 */
export function scoreTasksInContext(
  model: LanguageModel,
  tests: readonly TaskConversation[],
  train: readonly TaskConversation[],
  shots: number,
  o: { seed?: number; maxTokens?: number } = {},
): TaskResult[] {
  const template = chatTemplateFor(model.tokenizer);
  const pools = new Map<string, ChatMessage[][]>();
  for (const c of train) {
    const list = pools.get(c.task) ?? [];
    list.push(c.messages.filter((m) => m.role !== 'system'));
    pools.set(c.task, list);
  }
  const rows = new Map<string, { turns: number; exact: number; f1: number; counts: Counts }>();
  tests.forEach((c, n) => {
    const row = rows.get(c.task) ?? { turns: 0, exact: 0, f1: 0, counts: new Counts(shots) };
    rows.set(c.task, row);
    const examples = draw(pools.get(c.task) ?? [], shots, new Rng((o.seed ?? 0) * 1_000_003 + n));
    const system = c.messages.filter((m) => m.role === 'system');
    const messages = c.messages.filter((m) => m.role !== 'system');
    messages.forEach((m, i) => {
      if (m.role !== 'assistant') return;
      const answer = model.tokenizer.encode(m.content).length + 1;
      const { tokens, used, fits } = fitPrompt(model, system, examples, messages.slice(0, i), answer);
      row.counts.add(used, fits);
      const out: number[] = [];
      for (const t of generateTokens(model, tokens, {
        temperature: 0,
        maxTokens: o.maxTokens ?? answer + 8,
        stopTokens: template.endOfTurn,
      })) {
        if (template.endOfTurn.includes(t)) break;
        out.push(t);
      }
      const reply = template.parseReply(model.tokenizer.decode(out));
      row.turns++;
      row.exact += reply.trim() === m.content.trim() ? 1 : 0;
      row.f1 += tokenF1(reply, m.content);
    });
  });
  return [...rows].map(([task, r]) => ({
    task,
    turns: r.turns,
    exact: r.turns ? r.exact / r.turns : NaN,
    f1: r.turns ? r.f1 / r.turns : NaN,
    ...r.counts.result,
  }));
}

/**
 * Each test text asked as {@link classifyQuestion} after `shots` labelled training texts (question and
 * label as turns); the label whose reply is most probable wins. Texts are cut to `maxChars` characters.
 */
export function scoreClassificationInContext(
  model: LanguageModel,
  task: string,
  tests: readonly LabelledText[],
  train: readonly LabelledText[],
  shots: number,
  o: { seed?: number; maxChars?: number } = {},
): ClassifyResult {
  const template = chatTemplateFor(model.tokenizer);
  const labels = [...new Set([...train, ...tests].map((e) => e.label))].sort();
  const cut = (t: string) => [...t].slice(0, o.maxChars ?? 200).join('');
  const turn = (e: LabelledText): ChatMessage[] => [
    { role: 'user', content: classifyQuestion(labels, cut(e.text)) },
    { role: 'assistant', content: e.label },
  ];
  const replies = labels.map((l) => [...model.tokenizer.encode(l), ...template.endOfTurn.slice(0, 1)]);
  const longest = Math.max(...replies.map((r) => r.length));
  const counts = new Counts(shots);
  const gold: number[] = [];
  const pred: number[] = [];
  tests.forEach((e, n) => {
    const examples = draw(train, shots, new Rng((o.seed ?? 0) * 1_000_003 + n)).map(turn);
    const { tokens, used, fits } = fitPrompt(model, [], examples, [turn(e)[0]], longest);
    counts.add(used, fits);
    const scores = scoreWith(
      model,
      replies.map((r) => [...tokens, ...r]),
    ).map((lp, i) => lp.subarray(tokens.length).reduce((s, v) => s + v, 0) / replies[i].length);
    gold.push(labels.indexOf(e.label));
    pred.push(scores.indexOf(Math.max(...scores)));
  });
  const { accuracy, macroF1 } = classificationScores(gold, pred, labels.length);
  return {
    task,
    examples: tests.length,
    accuracy,
    macro_f1: macroF1,
    predicted: Object.fromEntries(labels.map((l, i) => [l, pred.filter((p) => p === i).length])),
    ...counts.result,
  };
}
