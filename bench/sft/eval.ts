/**
 * Scores an SFT model (and, with --base, the pretrained model it started from, given the chat tokens as
 * SFT gives them) on held-out conversations: assistant-token loss, greedy exact match and token F1 by
 * task, and a few sample conversations.
 *
 *   node dist/bench/sft/eval.js --model runs/sft/best --base runs/pre/best --data instruct/test.jsonl \
 *     --per-task 40 --max-tokens 80 --samples 3
 *
 * --tasks a,b scores only those tasks; --best shows the best-scoring turn of each task as the samples;
 * --by-lang splits each task by the line's `lang` (rows named `task/lang`, --per-task counts each apart);
 * --base-lines also scores the --base model as it was pretrained, on message texts one per line (the
 * text bench/sft/texts.ts writes): prompted with the history's messages as lines, its reply the next line;
 * --train FILE.jsonl splits each task's rows into turns whose reference answer is an assistant message
 * of FILE word for word (`seen`, answerable by memory) and the rest (`new`).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { addChatTokens } from '../../src/chat/chat-tokens.js';
import {
  assistantLoss,
  lineReply,
  scoreReplies,
  summarizeByTask,
  type ReplyFunction,
  type ScoredTurn,
} from '../../src/eval/instruct.js';
import { GPTModel } from '../../src/models/gpt.js';
import { growGPTVocabulary } from '../../src/models/gpt-vocab.js';
import { readSFTFile, toConversation } from '../../src/train/sft-data.js';
import type { ChatMessage } from '../../src/chat/conversation.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    base: { type: 'string' },
    data: { type: 'string' },
    'per-task': { type: 'string', default: '40' },
    'max-tokens': { type: 'string', default: '80' },
    samples: { type: 'string', default: '3' },
    tasks: { type: 'string' },
    best: { type: 'boolean', default: false },
    'by-lang': { type: 'boolean', default: false },
    'base-lines': { type: 'boolean', default: false },
    train: { type: 'string' },
  },
});
if (!values.model || !values.data) {
  process.stderr.write(
    'usage: eval.js --model DIR --data test.jsonl [--base DIR] [--per-task N] [--max-tokens N]\n',
  );
  process.exit(2);
}
const perTask = Number(values['per-task']);
const maxTokens = Number(values['max-tokens']);

interface Row {
  messages: ChatMessage[];
  task: string;
  source: string;
}
const rows: Row[] = readFileSync(values.data, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l, i) => {
    const json = JSON.parse(l) as { task?: string; source?: string; lang?: string };
    const task = json.task ?? 'all';
    return {
      messages: toConversation(json, `${values.data} line ${i + 1}`),
      task: values['by-lang'] && json.lang ? `${task}/${json.lang}` : task,
      source: json.source ?? '',
    };
  });
// the first --per-task examples of each task (file order, so the same ones every run)
const only = values.tasks?.split(',');
const taken = new Map<string, number>();
const subset = rows.filter((r) => {
  if (only && !only.includes(r.task) && !only.includes(r.task.split('/')[0])) return false;
  const n = taken.get(r.task) ?? 0;
  taken.set(r.task, n + 1);
  return n < perTask;
});
const examples = rows.map((r, i) => ({ line: i + 1, messages: r.messages }));
// --train: the assistant answers of the training file, to tell remembered answers from new ones
const trained = new Set<string>();
if (values.train)
  for (const e of readSFTFile(values.train))
    for (const m of e.messages) if (m.role === 'assistant') trained.add(m.content.trim());
const label = (t: ScoredTurn): ScoredTurn =>
  values.train ? { ...t, task: `${t.task} ${trained.has(t.reference.trim()) ? 'seen' : 'new'}` } : t;

function report(name: string, model: GPTModel, reply?: ReplyFunction): ScoredTurn[] {
  const t0 = performance.now();
  // the assistant-token loss needs the chat template; a line-prompted model has none
  const loss = reply ? undefined : assistantLoss(model, examples);
  const turns = scoreReplies(model, subset, maxTokens, reply);
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(
    `\n## ${name}\n` +
      (loss
        ? `held-out assistant loss ${loss.loss.toFixed(4)} nats/token over ${loss.tokens} tokens of ` +
          `${loss.examples} conversations (${loss.dropped} longer than the block left out); `
        : '') +
      `scored in ${seconds.toFixed(0)} s\n\n` +
      '| task | turns | exact | token F1 |\n|---|---|---|---|\n',
  );
  for (const s of summarizeByTask(turns.map(label)))
    process.stdout.write(
      `| ${s.task} | ${s.turns} | ${(100 * s.exact).toFixed(1)}% | ${s.f1.toFixed(3)} |\n`,
    );
  return turns;
}

const model = GPTModel.load(values.model);
if (values.base) {
  const base = GPTModel.load(values.base);
  if (values['base-lines']) report(`before SFT (${values.base}, prompted with lines)`, base, lineReply);
  const grown = addChatTokens(base.tokenizer);
  report(
    `before SFT (${values.base}, chat tokens added)`,
    growGPTVocabulary(base, grown.tokenizer, grown.oldToNew),
  );
}
const turns = report(`after SFT (${values.model})`, model);
const samples = Number(values.samples);
if (samples > 0) {
  process.stdout.write('\n## samples (greedy)\n');
  // unpicked by score: the first follow-up turn, then the first turn of each other task, in file order
  const picks = turns.filter((t) => t.history.length >= 3).slice(0, 1);
  for (const t of turns)
    if (picks.length < samples && !picks.some((p) => p.task === t.task) && t.history.length < 3)
      picks.push(t);
  if (values.best) {
    // --best: the best-scoring turn of each task instead (picked by score: an illustration, not a measure)
    picks.length = 0;
    for (const t of [...turns].sort((a, b) => Number(b.exact) - Number(a.exact) || b.f1 - a.f1))
      if (!picks.some((p) => p.task === t.task)) picks.push(t);
  }
  for (const t of picks) {
    process.stdout.write(`\n[${t.task}]\n`);
    for (const m of t.history) process.stdout.write(`${m.role}: ${m.content}\n`);
    process.stdout.write(`assistant (model): ${t.reply}\n(reference: ${t.reference})\n`);
  }
}
