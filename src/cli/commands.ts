/**
 * The table of `lmkit` commands, built so that start-up stays cheap (`lmkit --version` loads a handful of
 * files, no model, tensor, dataset or server code):
 * - this table holds each group's name and summary (for `lmkit --help` and did-you-mean) and imports the
 *   group's file only when that group is named;
 * - a group's file (e.g. ./ngram.ts) holds only specs: names, summaries, flags and help text, importing
 *   nothing heavy at its top (at most a few constants);
 * - each command's work lives in ./run/<group>.ts and is imported by the spec's `load` when it runs:
 *   `load: () => import('./run/ngram.js').then((m) => m.query)`.
 * To add a command: its spec goes in its group's file, its implementation in run/<group>.ts; a new group
 * also adds a row here (the same name and summary as its CommandGroup; a test checks they agree).
 * Nothing may do work at import time. test/cli/startup.test.ts fails if `--version`, `--help` or a
 * group's `--help` loads heavy modules.
 */
import type { CommandGroup } from './args.js';

/** One row of the table: what top-level help needs, and the group itself, imported on use. */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<CommandGroup>;
}

/** Every command group, in the order `lmkit --help` lists them. */
export const COMMANDS: CommandEntry[] = [
  {
    name: 'quickstart',
    summary:
      'train and compare n-gram models on the Brown corpus, then sample from the best (about a minute)',
    load: () => import('./quickstart.js').then((m) => m.QUICKSTART),
  },
  {
    name: 'speedrun',
    summary:
      'the whole road in one command: data, tokenizers, n-grams, NPLM, RNN, GPT, SFT, RM, DPO, PPO, report',
    load: () => import('./speedrun.js').then((m) => m.SPEEDRUN),
  },
  {
    name: 'data',
    summary: 'built-in datasets and your own text: list, show, export splits, build vocabularies',
    load: () => import('./data.js').then((m) => m.DATA),
  },
  {
    name: 'tokenizer',
    summary: 'byte-level BPE: train one, encode and decode text, inspect vocabularies (gpt2 built in)',
    load: () => import('./tokenizer.js').then((m) => m.TOKENIZER),
  },
  {
    name: 'ngram',
    summary:
      'n-gram language models: Kneser-Ney (as KenLM), MLE, add-k, stupid backoff; ARPA and binary files',
    load: () => import('./ngram.js').then((m) => m.NGRAM),
  },
  {
    name: 'train',
    summary: 'train a neural language model (GPT, NPLM or character RNN) on a dataset or text file',
    load: () => import('./train.js').then((m) => m.TRAIN),
  },
  {
    name: 'eval',
    summary: 'perplexity and bits per character of any model (n-gram, NPLM, RNN, GPT, or a mixture) on text',
    load: () => import('./eval.js').then((m) => m.EVAL),
  },
  {
    name: 'embed',
    summary:
      'word vectors: train word2vec, find neighbours, analogies and similarities, evaluate; ELMo contextual vectors',
    load: () => import('./embed.js').then((m) => m.EMBED),
  },
  {
    name: 'reward',
    summary: 'score a response to a prompt with a reward model',
    load: () => import('./reward.js').then((m) => m.REWARD),
  },
  {
    name: 'feedback',
    summary: 'export the thumbs and comparisons from the web UI as preference data, or count them',
    load: () => import('./feedback.js').then((m) => m.FEEDBACK),
  },
  {
    name: 'plot',
    summary: 'draw the loss curves of training runs (metrics.jsonl) as an SVG',
    load: () => import('./plot.js').then((m) => m.PLOT),
  },
  {
    name: 'generate',
    summary: 'sample text from a model of any kind, streamed as it is generated',
    load: () => import('./generate.js').then((m) => m.GENERATE),
  },
  {
    name: 'fill-mask',
    summary: "a masked LM's (BERT's) most probable tokens for each [MASK] of a text",
    load: () => import('./fill-mask.js').then((m) => m.FILL_MASK),
  },
  {
    name: 'classify',
    summary:
      'label texts with a BERT: a cloze question to its masked LM (zero-shot, PET) or a fine-tuned head',
    load: () => import('./classify.js').then((m) => m.CLASSIFY),
  },
  {
    name: 'eval-tasks',
    summary: 'in-context learning: score a GPT on tasks with k solved examples in its prompt (--shots)',
    load: () => import('./eval-tasks.js').then((m) => m.EVAL_TASKS),
  },
  {
    name: 'serve',
    summary: 'serve models over an OpenAI-compatible HTTP API (chat, completions, streaming, history)',
    load: () => import('./serve.js').then((m) => m.SERVE),
  },
  {
    name: 'chat',
    summary: 'chat with a model in the terminal (streaming; /help for commands)',
    load: () => import('./chat.js').then((m) => m.CHAT),
  },
  {
    name: 'doctor',
    summary: "show the tensor backend, BLAS, CPU, threads and lmkit's folders (home, models, history, cache)",
    load: () => import('./doctor.js').then((m) => m.DOCTOR),
  },
];
